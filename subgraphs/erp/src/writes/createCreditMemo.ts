// createCreditMemo: credits a customer for goods returned against an order — priced at the
// order line's unit price, never more than was shipped — books the stock back into the
// inventory ledger and lowers the open balance, in one transaction with key and audit entry.
// The credit settles the order's open invoice first (which may close the order).
import { requireOwnCustomerObject, runWrite } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, moneyToString, toDecimal } from "@crossdock/schema";
import { normalizeQuantityLines, type QuantityLineInput } from "./quantityLines.js";
import { LOCKED_INVOICE_COLUMNS, settleInvoice, type LockedInvoice } from "./settleInvoice.js";
import type { ErpWrites, WriteActor } from "./transaction.js";

export interface CreateCreditMemoInput {
  orderNumber: string;
  reason: string;
  /** The document behind the credit, e.g. the WMS return receipt number. */
  reference?: string | null;
  /** Where the returned stock went; defaults to the order's warehouse. */
  warehouseCode?: string | null;
  lines: QuantityLineInput[];
  idempotencyKey: string;
}

export async function createCreditMemo(writes: ErpWrites, actor: WriteActor, input: CreateCreditMemoInput): Promise<{ memoNumber: string }> {
  const reason = input.reason.trim();
  if (reason === "" || reason.length > 500) throw crossdockError(ErrorCode.BAD_USER_INPUT, "reason must be 1 to 500 characters", { field: "reason" });
  const lines = normalizeQuantityLines(input.lines);
  const request = { orderNumber: input.orderNumber, reason, reference: input.reference ?? null, warehouseCode: input.warehouseCode ?? null, lines };
  const { result } = await runWrite(writes.prisma, {
    actor,
    operation: "createCreditMemo",
    idempotency: { key: input.idempotencyKey, request },
    decide: async (tx) => {
      const [order] = await tx.$queryRaw<{ id: number; customerNumber: string; warehouseCode: string }[]>`
        SELECT "id", "customerNumber", "warehouseCode" FROM "SalesOrder" WHERE "orderNumber" = ${input.orderNumber} FOR UPDATE`;
      const unknown = () => crossdockError(ErrorCode.UNKNOWN_ORDER, `No order ${input.orderNumber}`, { field: "orderNumber" });
      if (!order) throw unknown();
      requireOwnCustomerObject(actor.principal, order.customerNumber, unknown);
      // Memos issued before their lines were recorded (migration 0002) credited quantities nobody
      // can count any more: rather than credit them again, such an order takes no further memo here.
      const [unrecorded] = await tx.$queryRaw<unknown[]>`
        SELECT 1 FROM "CreditMemo" cm WHERE cm."orderNumber" = ${input.orderNumber}
          AND NOT EXISTS (SELECT 1 FROM "CreditMemoLine" ml WHERE ml."memoId" = cm."id") LIMIT 1`;
      if (unrecorded) {
        throw crossdockError(
          ErrorCode.INVALID_STATE,
          `Order ${input.orderNumber} has a credit memo from before memo lines were recorded; credit it by hand after checking what it covered`,
          { field: "orderNumber" },
        );
      }
      // Under the order's lock, so two memos racing for the same line cannot both pass.
      const orderLines = await tx.$queryRaw<{ id: number; sku: string; unitPrice: string; quantityShipped: string; credited: string }[]>`
        SELECT l."id", l."sku", l."unitPrice"::text AS "unitPrice", l."quantityShipped"::text AS "quantityShipped",
               COALESCE((SELECT sum(m."quantity") FROM "CreditMemoLine" m WHERE m."orderLineId" = l."id"), 0)::text AS "credited"
        FROM "SalesOrderLine" l WHERE l."orderId" = ${order.id}`;
      let amount = new Decimal(0);
      const credited = lines.map((line, index) => {
        const orderLine = orderLines.find((l) => l.sku === line.sku);
        if (!orderLine)
          throw crossdockError(ErrorCode.BAD_USER_INPUT, `Order ${input.orderNumber} has no line for ${line.sku}`, { field: `lines.${index}.sku` });
        const shipped = toDecimal(orderLine.quantityShipped);
        const already = toDecimal(orderLine.credited);
        if (already.plus(line.quantity).gt(shipped)) {
          throw crossdockError(
            ErrorCode.INVALID_QUANTITY,
            `Only ${shipped.toFixed()} of ${line.sku} shipped on ${input.orderNumber} and ${already.toFixed()} already credited`,
            { field: `lines.${index}.quantity` },
          );
        }
        amount = amount.plus(new Decimal(line.quantity).mul(toDecimal(orderLine.unitPrice)));
        return { orderLineId: orderLine.id, sku: line.sku, quantity: line.quantity };
      });
      amount = amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      const warehouseCode = input.warehouseCode?.trim() || order.warehouseCode;
      if (warehouseCode !== order.warehouseCode) {
        const [known] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "InventoryLedger" WHERE "warehouseCode" = ${warehouseCode} LIMIT 1`;
        if (!known) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
      }
      // The memo number comes from the table's own id sequence: no extra migration, never reused.
      const [memo] = await tx.$queryRaw<{ id: number; memoNumber: string }[]>`
        INSERT INTO "CreditMemo" ("id", "memoNumber", "orderNumber", "customerNumber", "amount", "reason")
        SELECT n, 'CM-' || lpad(n::text, 6, '0'), ${input.orderNumber}, ${order.customerNumber}, ${amount.toFixed(2)}::numeric,
               ${request.reference ? `${reason} (${request.reference})` : reason}
        FROM (SELECT nextval(pg_get_serial_sequence('"CreditMemo"', 'id')) AS n) s
        RETURNING "id", "memoNumber"`;
      await tx.creditMemoLine.createMany({ data: credited.map((line) => ({ ...line, memoId: memo!.id, warehouseCode })) });
      for (const line of lines) {
        await tx.inventoryLedger.upsert({
          where: { sku_warehouseCode: { sku: line.sku, warehouseCode } },
          create: { sku: line.sku, warehouseCode, onHand: line.quantity },
          update: { onHand: { increment: line.quantity } },
          select: { id: true },
        });
      }
      // The invoice's lock before the customer's, as recordPayment takes them.
      const [invoice] = await tx.$queryRawUnsafe<LockedInvoice[]>(
        `SELECT ${LOCKED_INVOICE_COLUMNS} FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId" WHERE i."orderId" = $1 AND i."status" = 'OPEN' FOR UPDATE OF i`,
        order.id,
      );
      await tx.customer.update({
        where: { customerNumber: order.customerNumber },
        data: { openBalance: { decrement: amount.toFixed(2) } },
        select: { id: true },
      });
      const settlement = invoice ? await settleInvoice(tx, { invoice, amount, creditMemoId: memo!.id }) : null;
      const appliedToInvoice =
        settlement && settlement.applied.gt(0) ? { invoiceNumber: settlement.invoiceNumber, amount: moneyToString(settlement.applied) } : null;
      return {
        result: { memoNumber: memo!.memoNumber },
        audit: {
          entityType: "CreditMemo",
          entityKey: memo!.memoNumber,
          detail: { ...request, amount: moneyToString(amount), warehouseCode, appliedToInvoice },
        },
      };
    },
  });
  return result;
}
