// recordShipment: the ERP's side of a WMS shipment — quantities shipped per line, the inventory
// ledger decrement, the order's status and, once everything has shipped, the invoice. One
// transaction with its idempotency key and audit entry; a shipment is never counted twice.
import { currentChangeCursor, recordAudit, runIdempotent } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { ErpPrisma } from "../db.js";
import { issueInvoice } from "./invoicing.js";
import { normalizeQuantityLines, type QuantityLineInput } from "./quantityLines.js";
import type { WriteActor } from "./submitOrder.js";
import { WRITE_TRANSACTION_OPTIONS } from "./transaction.js";

export interface RecordShipmentInput {
  orderNumber: string;
  shipmentId: string;
  lines: QuantityLineInput[];
  idempotencyKey: string;
}

export interface RecordShipmentResult {
  orderNumber: string;
  shipmentId: string;
  status: string;
  invoiceNumber: string | null;
  changeCursor: string;
}

const SHIPPABLE = new Set(["RELEASED", "PARTIALLY_SHIPPED"]);

export async function recordShipment(prisma: ErpPrisma, actor: WriteActor, input: RecordShipmentInput): Promise<RecordShipmentResult> {
  const shipmentId = input.shipmentId.trim();
  if (shipmentId === "") throw crossdockError(ErrorCode.BAD_USER_INPUT, "shipmentId must not be empty", { field: "shipmentId" });
  const lines = normalizeQuantityLines(input.lines);
  const request = { orderNumber: input.orderNumber, shipmentId, lines };
  return prisma.$transaction(async (tx) => {
    const { result } = await runIdempotent({
      tx,
      scope: "recordShipment",
      key: input.idempotencyKey,
      request,
      execute: async (): Promise<RecordShipmentResult> => {
        const [order] = await tx.$queryRaw<{ id: number; status: string; warehouseCode: string; billingHold: boolean }[]>`
          SELECT "id", "status"::text AS "status", "warehouseCode", "billingHold" FROM "SalesOrder" WHERE "orderNumber" = ${input.orderNumber} FOR UPDATE`;
        if (!order) throw crossdockError(ErrorCode.UNKNOWN_ORDER, `No order ${input.orderNumber}`, { field: "orderNumber" });
        // A shipment recorded under another key must not ship the goods a second time.
        const seen = await tx.auditEntry.findFirst({
          where: { operation: "recordShipment", entityType: "Shipment", entityKey: shipmentId },
          select: { id: true },
        });
        if (seen) throw crossdockError(ErrorCode.INVALID_STATE, `Shipment ${shipmentId} is already recorded`, { field: "shipmentId" });
        if (!SHIPPABLE.has(order.status)) {
          throw crossdockError(ErrorCode.INVALID_STATE, `Order ${input.orderNumber} is ${order.status}; only RELEASED or PARTIALLY_SHIPPED orders ship`, {
            field: "orderNumber",
          });
        }
        const orderLines = await tx.salesOrderLine.findMany({ where: { orderId: order.id }, orderBy: { lineNumber: "asc" } });
        const shipped = new Map(orderLines.map((line) => [line.sku, toDecimal(line.quantityShipped)]));
        lines.forEach((line, index) => {
          const orderLine = orderLines.find((l) => l.sku === line.sku);
          if (!orderLine)
            throw crossdockError(ErrorCode.BAD_USER_INPUT, `Order ${input.orderNumber} has no line for ${line.sku}`, { field: `lines.${index}.sku` });
          const total = shipped.get(line.sku)!.plus(line.quantity);
          if (total.gt(toDecimal(orderLine.quantity))) {
            throw crossdockError(
              ErrorCode.INVALID_QUANTITY,
              `Shipping ${line.quantity} of ${line.sku} would exceed the ordered ${orderLine.quantity.toFixed()}`,
              {
                field: `lines.${index}.quantity`,
              },
            );
          }
          shipped.set(line.sku, total);
        });
        for (const line of lines) {
          const orderLine = orderLines.find((l) => l.sku === line.sku)!;
          await tx.salesOrderLine.update({ where: { id: orderLine.id }, data: { quantityShipped: shipped.get(line.sku)!.toFixed() }, select: { id: true } });
          await tx.inventoryLedger.upsert({
            where: { sku_warehouseCode: { sku: line.sku, warehouseCode: order.warehouseCode } },
            create: { sku: line.sku, warehouseCode: order.warehouseCode, onHand: new Decimal(line.quantity).negated().toFixed() },
            update: { onHand: { decrement: line.quantity } },
            select: { id: true },
          });
        }
        const fullyShipped = orderLines.every((l) => shipped.get(l.sku)!.gte(toDecimal(l.quantity)));
        let status = fullyShipped ? "SHIPPED" : "PARTIALLY_SHIPPED";
        let invoiceNumber: string | null = null;
        // A billing hold defers the invoice until the hold is lifted (see billingHold.ts).
        if (fullyShipped && !order.billingHold) {
          invoiceNumber = await issueInvoice(tx, order.id, input.orderNumber);
          status = "INVOICED";
        }
        await tx.salesOrder.update({ where: { id: order.id }, data: { status: status as "SHIPPED" }, select: { id: true } });
        await recordAudit(tx, {
          principal: actor.principal,
          requestId: actor.requestId,
          operation: "recordShipment",
          entityType: "Shipment",
          entityKey: shipmentId,
          detail: { orderNumber: input.orderNumber, lines, status, invoiceNumber },
        });
        return { orderNumber: input.orderNumber, shipmentId, status, invoiceNumber, changeCursor: await currentChangeCursor(tx, "erp") };
      },
    });
    return result;
  }, WRITE_TRANSACTION_OPTIONS);
}
