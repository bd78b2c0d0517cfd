// placeBillingHold / liftBillingHold: the ERP's billing hold on an order (a shipment
// exception holds billing until it is resolved). Lifting the hold on a fully shipped order
// issues the invoice the hold deferred. Idempotent by key and by nature (holding twice holds once).
import { requireOwnCustomerObject, runWrite } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { issueInvoice } from "./invoicing.js";
import type { ErpWrites, WriteActor } from "./transaction.js";

export interface BillingHoldInput {
  orderNumber: string;
  reason: string;
  idempotencyKey: string;
}

const NOT_BILLABLE = new Set(["CANCELLED", "REJECTED"]);

export async function setBillingHold(writes: ErpWrites, actor: WriteActor, input: BillingHoldInput, hold: boolean): Promise<void> {
  const reason = input.reason.trim();
  if (reason === "" || reason.length > 500) throw crossdockError(ErrorCode.BAD_USER_INPUT, "reason must be 1 to 500 characters", { field: "reason" });
  await runWrite(writes.prisma, {
    actor,
    operation: hold ? "placeBillingHold" : "liftBillingHold",
    idempotency: { key: input.idempotencyKey, request: { orderNumber: input.orderNumber, reason } },
    decide: async (tx) => {
      const [order] = await tx.$queryRaw<{ id: number; customerNumber: string; status: string; billingHold: boolean }[]>`
        SELECT "id", "customerNumber", "status"::text AS "status", "billingHold" FROM "SalesOrder" WHERE "orderNumber" = ${input.orderNumber} FOR UPDATE`;
      const unknown = () => crossdockError(ErrorCode.UNKNOWN_ORDER, `No order ${input.orderNumber}`, { field: "orderNumber" });
      if (!order) throw unknown();
      requireOwnCustomerObject(actor.principal, order.customerNumber, unknown);
      if (hold && NOT_BILLABLE.has(order.status)) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Order ${input.orderNumber} is ${order.status}; there is no billing to hold`, { field: "orderNumber" });
      }
      let invoiceNumber: string | null = null;
      if (order.billingHold !== hold) await tx.salesOrder.update({ where: { id: order.id }, data: { billingHold: hold }, select: { id: true } });
      if (!hold && order.status === "SHIPPED") {
        invoiceNumber = await issueInvoice(tx, order.id, input.orderNumber);
        await tx.salesOrder.update({ where: { id: order.id }, data: { status: "INVOICED" }, select: { id: true } });
      }
      return {
        result: { orderNumber: input.orderNumber },
        audit: { entityType: "Order", entityKey: input.orderNumber, detail: { reason, previousHold: order.billingHold, invoiceNumber } },
      };
    },
  });
}
