// The simulator's less routine business, so a demo shows every flow: customers amending orders
// not yet picked, paying invoices (in full, in part, now and then too much), carriers reporting
// exceptions, customers returning goods, stock running low and purchases arriving. Each action
// goes through the public API and returns one line saying what it did ("… skipped": nothing to do).
import { randomUUID } from "node:crypto";
import type { SeededRandom } from "@crossdock/schema";

export type SimulatorCall = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export interface ExceptionActions {
  amendOrder(): Promise<string>;
  recordPayment(): Promise<string>;
  shipmentException(): Promise<string>;
  returnGoods(): Promise<string>;
  drainStock(): Promise<string>;
}

interface ReleasedOrder {
  orderNumber: string;
  lines: { quantity: string; product: { sku: string } }[];
  fulfillments: { status: string }[];
}

interface InvoicedOrder {
  customer: { customerNumber: string };
  invoice: { invoiceNumber: string; openAmount: string; status: string } | null;
}

interface DeliveredOrder {
  orderNumber: string;
  warehouseCode: string;
  lines: { quantityShipped: string; product: { sku: string } }[];
  creditMemos: { memoNumber: string }[];
  fulfillments: { shipments: { status: string }[] }[];
}

export function exceptionActions(call: SimulatorCall, rng: SeededRandom, skus: () => string[]): ExceptionActions {
  async function receivePurchase(): Promise<string> {
    const data = await call<{ purchaseSuggestions: { sku: string; warehouseCode: string; quantity: string }[] }>(
      `query { purchaseSuggestions(status: "OPEN", first: 20) { sku warehouseCode quantity } }`,
    );
    if (data.purchaseSuggestions.length === 0) return "receivePurchase skipped";
    const suggestion = rng.pick(data.purchaseSuggestions);
    await call(`mutation($input: RecordReceiptInput!) { recordReceipt(input: $input) { receiptNumber } }`, {
      input: {
        warehouseCode: suggestion.warehouseCode,
        kind: "PURCHASE",
        lines: [{ sku: suggestion.sku, quantity: suggestion.quantity }],
        idempotencyKey: randomUUID(),
      },
    });
    return `receivePurchase ${suggestion.quantity} × ${suggestion.sku}@${suggestion.warehouseCode}`;
  }

  return {
    async amendOrder() {
      const data = await call<{ orders: { edges: { node: ReleasedOrder }[] } }>(
        `query { orders(status: RELEASED, first: 30) { edges { node { orderNumber lines { quantity product { sku } } fulfillments { status } } } } }`,
      );
      // Only orders the warehouse has not started on: a picked order would be refused (and compensated).
      const candidates = data.orders.edges
        .map((e) => e.node)
        .filter((o) => o.fulfillments.length > 0 && o.fulfillments.every((f) => f.status !== "PICKING" && f.status !== "PICKED"));
      if (candidates.length === 0) return "amendOrder skipped";
      const order = rng.pick(candidates);
      const lines = order.lines.map((l) => ({ sku: l.product.sku, quantity: l.quantity }));
      const changed = rng.pick(lines);
      changed.quantity = String(Math.max(1, Math.round(Number(changed.quantity)) + (rng.chance(0.5) ? 1 : -1)));
      const extra = rng.pick(skus());
      if (rng.chance(0.3) && !lines.some((l) => l.sku === extra)) lines.push({ sku: extra, quantity: "1" });
      try {
        const result = await call<{ amendOrder: { outcome: string; amendmentNumber: string | null } }>(
          `mutation($input: AmendOrderInput!) { amendOrder(input: $input) { outcome amendmentNumber } }`,
          { input: { orderNumber: order.orderNumber, idempotencyKey: randomUUID(), lines, reason: "Customer changed the quantities" } },
        );
        return `amendOrder ${order.orderNumber} ${result.amendOrder.amendmentNumber ?? "unchanged"} ${result.amendOrder.outcome}`;
      } catch (error) {
        // The ERP refusing an amendment it has no stock for is part of the demo, not a failure.
        if ((error as Error).message.startsWith("INSUFFICIENT_STOCK")) return `amendOrder ${order.orderNumber} refused: ${(error as Error).message}`;
        throw error;
      }
    },

    async recordPayment() {
      const data = await call<{ orders: { edges: { node: InvoicedOrder }[] } }>(
        `query { orders(status: INVOICED, first: 30) { edges { node { customer { customerNumber } invoice { invoiceNumber openAmount status } } } } }`,
      );
      const open = data.orders.edges.map((e) => e.node).filter((o) => o.invoice?.status === "OPEN" && Number(o.invoice.openAmount) > 0);
      if (open.length === 0) return "recordPayment skipped";
      const order = rng.pick(open);
      const owed = Number(order.invoice!.openAmount);
      // Mostly the invoice in full; sometimes a part of it, sometimes a little too much (kept as credit).
      const share = rng.chance(0.7) ? 1 : rng.chance(0.6) ? 0.5 : 1.1;
      const amount = Math.max(0.01, Math.round(owed * share * 100) / 100).toFixed(2);
      const result = await call<{ recordPayment: { paymentId: string; unapplied: string } }>(
        `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { paymentId unapplied } }`,
        {
          input: {
            customerNumber: order.customer.customerNumber,
            amount,
            reference: `REMIT-${rng.int(100000, 999999)}`,
            invoiceNumbers: [order.invoice!.invoiceNumber],
            idempotencyKey: randomUUID(),
          },
        },
      );
      return `recordPayment ${result.recordPayment.paymentId} ${amount} on ${order.invoice!.invoiceNumber} (unapplied ${result.recordPayment.unapplied})`;
    },

    async shipmentException() {
      const data = await call<{ orders: { edges: { node: { fulfillments: { shipments: { shipmentId: string; status: string }[] }[] } }[] } }>(
        `query { orders(status: INVOICED, first: 30) { edges { node { fulfillments { shipments { shipmentId status } } } } } }`,
      );
      const moving = data.orders.edges
        .flatMap((e) => e.node.fulfillments.flatMap((f) => f.shipments))
        .filter((s) => s.status === "IN_TRANSIT" || s.status === "OUT_FOR_DELIVERY");
      if (moving.length === 0) return "shipmentException skipped";
      const shipment = rng.pick(moving);
      await call(`mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) { status } }`, {
        input: {
          shipmentId: shipment.shipmentId,
          code: "EXCEPTION",
          location: "Carrier hub",
          note: rng.pick(["Package damaged", "Address not found", "Weather delay"]),
          idempotencyKey: randomUUID(),
        },
      });
      return `shipmentException ${shipment.shipmentId}`;
    },

    async returnGoods() {
      const data = await call<{ orders: { edges: { node: DeliveredOrder }[] } }>(
        `query { orders(status: INVOICED, first: 30) { edges { node { orderNumber warehouseCode lines { quantityShipped product { sku } } creditMemos { memoNumber } fulfillments { shipments { status } } } } } }`,
      );
      const delivered = data.orders.edges
        .map((e) => e.node)
        .filter((o) => o.creditMemos.length === 0 && o.fulfillments.some((f) => f.shipments.length > 0 && f.shipments.every((s) => s.status === "DELIVERED")));
      if (delivered.length === 0) return "returnGoods skipped";
      const order = rng.pick(delivered);
      const returnable = order.lines.filter((l) => Number(l.quantityShipped) >= 1);
      if (returnable.length === 0) return "returnGoods skipped";
      const line = rng.pick(returnable);
      await call(`mutation($input: RecordReceiptInput!) { recordReceipt(input: $input) { receiptNumber } }`, {
        input: {
          warehouseCode: order.warehouseCode,
          kind: "RETURN",
          orderNumber: order.orderNumber,
          lines: [{ sku: line.product.sku, quantity: "1" }],
          idempotencyKey: randomUUID(),
        },
      });
      return `returnGoods 1 × ${line.product.sku} from ${order.orderNumber}`;
    },

    async drainStock() {
      // Half the time a write-off takes a position just under its reorder point (replenishment
      // suggests a purchase); the other half a purchase arrives for an open suggestion.
      if (rng.chance(0.5)) return receivePurchase();
      const sku = rng.pick(skus());
      const data = await call<{ product: { reorderPoint: string; stock: { warehouse: { code: string }; available: string }[] } | null }>(
        `query($sku: ID!) { product(sku: $sku) { reorderPoint stock { warehouse { code } available } } }`,
        { sku },
      );
      const reorderPoint = Number(data.product?.reorderPoint ?? 0);
      const target = Math.max(0, Math.ceil(reorderPoint) - 1);
      // The position nearest its reorder point, and only when it is near: a write-off of a few
      // dozen units, never a warehouse's whole stock of the product.
      const level = [...(data.product?.stock ?? [])].sort((a, b) => Number(a.available) - Number(b.available)).find((l) => Number(l.available) > target);
      const delta = level ? target - Math.floor(Number(level.available)) : 0;
      if (!level || delta >= 0 || -delta > 2 * reorderPoint + 20) return "drainStock skipped";
      await call(`mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`, {
        input: { sku, warehouseCode: level.warehouse.code, quantityDelta: String(delta), reason: "Write-off: water damage", idempotencyKey: randomUUID() },
      });
      return `drainStock ${sku}@${level.warehouse.code} ${delta} (low stock)`;
    },
  };
}
