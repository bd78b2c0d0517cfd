// Derives the unified order stage from what the three systems say about an order. The ERP
// is the system of record for the order's financial status; the WMS knows the physical
// progress first, so its facts move the stage ahead of the ERP where they are newer.
export type OrderStage =
  "RECEIVED" | "CREDIT_HOLD" | "RELEASED" | "PICKING" | "SHIPPED" | "PARTIALLY_SHIPPED" | "DELIVERED" | "EXCEPTION" | "INVOICED" | "CANCELLED" | "REJECTED";

export interface OrderFacts {
  erpStatus: string | null;
  invoiced: boolean;
  fulfillmentStatuses: string[];
  shipmentStatuses: string[];
}

export function deriveOrderStage(facts: OrderFacts): OrderStage {
  const { erpStatus, shipmentStatuses, fulfillmentStatuses } = facts;
  if (erpStatus === "CANCELLED") return "CANCELLED";
  if (erpStatus === "REJECTED") return "REJECTED";
  if (erpStatus === "CREDIT_HOLD") return "CREDIT_HOLD";
  const active = fulfillmentStatuses.filter((s) => s !== "CANCELLED");
  if (shipmentStatuses.includes("EXCEPTION")) return "EXCEPTION";
  const allShipped = active.length > 0 && active.every((s) => s === "SHIPPED");
  const fullyShipped = erpStatus === "SHIPPED" || erpStatus === "INVOICED" || erpStatus === "CLOSED" || allShipped;
  if (fullyShipped && shipmentStatuses.length > 0 && shipmentStatuses.every((s) => s === "DELIVERED")) return "DELIVERED";
  if (facts.invoiced || erpStatus === "INVOICED" || erpStatus === "CLOSED") return "INVOICED";
  if (fullyShipped) return "SHIPPED";
  if (erpStatus === "PARTIALLY_SHIPPED" || shipmentStatuses.length > 0) return "PARTIALLY_SHIPPED";
  if (active.some((s) => s === "PICKING" || s === "PICKED")) return "PICKING";
  if (erpStatus === "RELEASED") return "RELEASED";
  return "RECEIVED";
}
