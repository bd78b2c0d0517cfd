// recordReceipt: goods arriving at a warehouse — a purchase delivery or a customer return —
// booked onto bins with one RECEIPT or RETURN movement per line, so onHand rises by exactly
// what arrived. A return names the order and never takes back more than the order shipped.
import { crossdockError, ErrorCode, toDecimal } from "@crossdock/schema";
import type { Receipt, ReceiptKind } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";
import { lockStock, positiveQuantity, rejectDuplicateSkus, requireText, runWmsWrite, skuEverStocked } from "./writeSupport.js";

export interface RecordReceiptInput {
  warehouseCode: string;
  kind: ReceiptKind;
  orderNumber?: string | null;
  lines: { sku: string; quantity: string }[];
  idempotencyKey: string;
}

export async function recordReceipt(ctx: WmsContext, input: RecordReceiptInput): Promise<Receipt> {
  if (input.lines.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "lines must not be empty", { field: "lines" });
  rejectDuplicateSkus(input.lines);
  const lines = input.lines.map((line, index) => ({ sku: line.sku, index, quantity: positiveQuantity(line.quantity, `lines.${index}.quantity`) }));
  const orderNumber = input.orderNumber ? requireText(input.orderNumber, "orderNumber") : null;
  if (input.kind === "RETURN" && orderNumber === null) {
    throw crossdockError(ErrorCode.BAD_USER_INPUT, "A return names the order it comes back from", { field: "orderNumber" });
  }
  const { warehouseCode, kind } = input;
  const reason = kind === "RETURN" ? "RETURN" : "RECEIPT";

  const {
    result: { receiptNumber },
  } = await runWmsWrite(ctx, {
    operation: "recordReceipt",
    idempotency: { key: input.idempotencyKey, request: { ...input, orderNumber } },
    decide: async (tx) => {
      const warehouse = await tx.warehouse.findUnique({ where: { code: warehouseCode } });
      if (!warehouse) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
      if (orderNumber !== null && kind === "RETURN") {
        const shipped = await tx.fulfillmentLine.groupBy({
          by: ["sku"],
          where: { fulfillment: { orderNumber }, sku: { in: lines.map((l) => l.sku) } },
          _sum: { quantityShipped: true },
        });
        for (const line of lines) {
          const total = toDecimal(shipped.find((s) => s.sku === line.sku)?._sum.quantityShipped ?? 0);
          if (line.quantity.gt(total)) {
            throw crossdockError(
              ErrorCode.INVALID_QUANTITY,
              `Order ${orderNumber} shipped ${total.toFixed()} of ${line.sku}; cannot return ${line.quantity.toFixed()}`,
              {
                field: `lines.${line.index}.quantity`,
              },
            );
          }
        }
      }
      await lockStock(
        tx,
        warehouseCode,
        lines.map((l) => l.sku),
      );
      const stock = await tx.stock.findMany({ where: { warehouseCode, sku: { in: lines.map((l) => l.sku) } } });
      const firstBin = await tx.bin.findFirst({ where: { warehouseCode }, orderBy: { code: "asc" } });
      const now = new Date();
      // The receipt number comes from the table's own id sequence (RC-W000001), like FF-/SH- numbers.
      const [row] = await tx.$queryRaw<{ receiptNumber: string }[]>`
        INSERT INTO "Receipt" ("id", "receiptNumber", "warehouseCode", "kind", "orderNumber", "receivedAt")
        SELECT n, 'RC-W' || lpad(n::text, 6, '0'), ${warehouseCode}, ${kind}::"ReceiptKind", ${orderNumber}, ${now}
        FROM (SELECT nextval(pg_get_serial_sequence('"Receipt"', 'id')) AS n) s RETURNING "receiptNumber"`;
      const receiptNumber = row!.receiptNumber;
      const booked: { sku: string; binCode: string; quantity: string }[] = [];
      for (const line of lines) {
        // Received goods go to the bin already holding most of the sku, else the first bin.
        const holding = stock.filter((s) => s.sku === line.sku).sort((a, b) => toDecimal(b.onHand).comparedTo(toDecimal(a.onHand)))[0];
        if (!holding && !(await skuEverStocked(tx, line.sku)) && kind === "RETURN") {
          throw crossdockError(ErrorCode.UNKNOWN_SKU, `The WMS has never stocked ${line.sku}`, { field: `lines.${line.index}.sku` });
        }
        const binCode = holding?.binCode ?? firstBin?.code;
        if (!binCode) throw crossdockError(ErrorCode.INVALID_STATE, `Warehouse ${warehouseCode} has no bins`, { field: "warehouseCode" });
        const quantity = line.quantity.toFixed();
        if (holding) await tx.stock.update({ where: { id: holding.id }, data: { onHand: { increment: quantity }, updatedAt: now } });
        else await tx.stock.create({ data: { sku: line.sku, warehouseCode, binCode, onHand: quantity, reserved: "0", updatedAt: now } });
        booked.push({ sku: line.sku, binCode, quantity });
      }
      await tx.receiptLine.createMany({ data: booked.map((b) => ({ receiptNumber, ...b })) });
      await tx.stockMovement.createMany({
        data: booked.map((b) => ({ sku: b.sku, warehouseCode, binCode: b.binCode, quantity: b.quantity, reason, reference: receiptNumber, occurredAt: now })),
      });
      return {
        result: { receiptNumber },
        audit: { entityType: "Receipt", entityKey: receiptNumber, detail: { kind, orderNumber, warehouseCode, lines: booked } },
      };
    },
  });
  return ctx.prisma.receipt.findUniqueOrThrow({ where: { receiptNumber } });
}
