// cancelOrder: cancels an order nothing has shipped from (CREDIT_HOLD or RELEASED) and gives
// a released order's amount back to the customer's open balance. Cancelling a cancelled
// order changes nothing; any other state is INVALID_STATE and writes nothing.
import { requireOwnCustomerObject, runWrite } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { ErpWrites, WriteActor } from "./transaction.js";

const CANCELLABLE = new Set(["CREDIT_HOLD", "RELEASED"]);

export async function cancelOrder(writes: ErpWrites, actor: WriteActor, orderNumber: string, reason: string): Promise<void> {
  const why = reason.trim();
  if (why === "") throw crossdockError(ErrorCode.BAD_USER_INPUT, "A cancellation needs a reason", { field: "reason" });
  if (why.length > 500) throw crossdockError(ErrorCode.BAD_USER_INPUT, "reason is at most 500 characters", { field: "reason" });
  await runWrite(writes.prisma, {
    actor,
    operation: "cancelOrder",
    decide: async (tx) => {
      // Locking the order makes a concurrent double cancel give the balance back once only.
      const [order] = await tx.$queryRaw<{ id: number; status: string; customerNumber: string; total: string }[]>`
        SELECT "id", "status"::text AS "status", "customerNumber", "total"::text AS "total"
        FROM "SalesOrder" WHERE "orderNumber" = ${orderNumber} FOR UPDATE`;
      const unknown = () => crossdockError(ErrorCode.UNKNOWN_ORDER, `No order ${orderNumber}`, { field: "orderNumber" });
      if (!order) throw unknown();
      requireOwnCustomerObject(actor.principal, order.customerNumber, unknown);
      if (order.status === "CANCELLED") return { result: null, audit: null };
      if (!CANCELLABLE.has(order.status)) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Order ${orderNumber} is ${order.status}; only CREDIT_HOLD or RELEASED orders can be cancelled`, {
          field: "orderNumber",
        });
      }
      const shippedLines = await tx.salesOrderLine.count({ where: { orderId: order.id, quantityShipped: { gt: 0 } } });
      if (shippedLines > 0)
        throw crossdockError(ErrorCode.INVALID_STATE, `Order ${orderNumber} has shipped lines and cannot be cancelled`, { field: "orderNumber" });
      await tx.salesOrder.update({ where: { id: order.id }, data: { status: "CANCELLED", cancelReason: why }, select: { id: true } });
      if (order.status === "RELEASED") {
        await tx.customer.update({ where: { customerNumber: order.customerNumber }, data: { openBalance: { decrement: order.total } }, select: { id: true } });
      }
      const releasedBalance = order.status === "RELEASED" ? order.total : "0.00";
      return { result: null, audit: { entityType: "Order", entityKey: orderNumber, detail: { previousStatus: order.status, reason: why, releasedBalance } } };
    },
  });
}
