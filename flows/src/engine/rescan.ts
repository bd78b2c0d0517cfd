// Re-scan after the flows' feed cursor expired: the order status read model (which cdc-ingest
// keeps current from the sources) says where every order stands now, and each order whose run
// is missing or out of date becomes one synthetic OrderStatus event for the routers. Routing is
// idempotent (runs keyed by order, step names unique per run), so re-scanning twice adds nothing.
import type { Database } from "@crossdock/platform";
import type { FeedEvent } from "./types.js";

interface OrderRow {
  orderNumber: string;
  customerNumber: string | null;
  stage: string;
  erpStatus: string | null;
  lastEventAt: Date | string;
}

/**
 * Released orders without an order-to-cash run (it was never started), and cancelled or
 * delivered orders whose run is still active (it never heard). Shipment milestones and
 * inventory crossings of the pruned range are not re-derived: the next change of that shipment
 * or position routes as usual, and the run's steps read the current state through the graph.
 */
export async function rescanReadModel(hub: Database, head: bigint): Promise<FeedEvent[]> {
  const rows = await hub.query<OrderRow>(
    `SELECT v."orderNumber", v."customerNumber", v."stage", v."erpStatus", v."lastEventAt"
     FROM "OrderStatusView" v
     LEFT JOIN "FlowRun" r ON r."id" = 'orderToCash:' || v."orderNumber"
     WHERE (v."stage" = 'RELEASED' AND v."erpStatus" = 'RELEASED' AND r."id" IS NULL)
        OR ((v."erpStatus" = 'CANCELLED' OR v."stage" = 'DELIVERED') AND r."status" IN ('RUNNING', 'PARKED'))
     ORDER BY v."orderNumber"`,
  );
  return rows.map((row) => ({
    cursor: head,
    entityType: "OrderStatus",
    entityKey: row.orderNumber,
    changeKind: "UPDATED",
    occurredAt: new Date(row.lastEventAt),
    payload: { orderNumber: row.orderNumber, customerNumber: row.customerNumber, stage: row.stage, previousStage: null, erpStatus: row.erpStatus },
  }));
}
