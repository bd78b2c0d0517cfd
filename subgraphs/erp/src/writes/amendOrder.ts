// amendOrder: changes the lines or the warehouse of an order nothing has shipped from, decided
// again by the ERP as a new order would be: SKUs and prices, stock at the warehouse, credit. An
// accepted amendment rewrites the lines, moves the open balance and keeps an OrderAmendment row
// (the change feed carries it to the flows, which adjust the WMS). Refusals write nothing.
import { requireCustomerAccess, runWrite } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, moneyToString, toDecimal } from "@crossdock/schema";
import { decideAmendedCredit, sameLines, type AmendedLine, type AmendmentOutcome } from "./amendmentRules.js";
import { normalizeOrderLines, type SubmitOrderLineInput } from "./orderInput.js";
import { changeCursorOf, type ErpTransaction, type ErpWrites, type WriteActor } from "./transaction.js";

export interface AmendOrderInput {
  orderNumber: string;
  idempotencyKey: string;
  lines: SubmitOrderLineInput[];
  warehouseCode?: string | null;
  reason: string;
}

/** Plain JSON: stored with the idempotency key and handed back unchanged on every retry. */
export interface AmendOrderResult {
  orderNumber: string;
  outcome: AmendmentOutcome["outcome"];
  reason: string | null;
  message: string | null;
  amendmentNumber: string | null;
  changeCursor: string;
}

const AMENDABLE = new Set(["RELEASED", "CREDIT_HOLD"]);

interface LockedOrder {
  id: number;
  customerNumber: string;
  status: string;
  warehouseCode: string;
  total: string;
  txid: string;
}

export async function amendOrder(writes: ErpWrites, actor: WriteActor, input: AmendOrderInput): Promise<AmendOrderResult> {
  const reason = input.reason.trim();
  if (reason === "" || reason.length > 500) throw crossdockError(ErrorCode.BAD_USER_INPUT, "reason must be 1 to 500 characters", { field: "reason" });
  const lines = normalizeOrderLines(input.lines);
  const request = { orderNumber: input.orderNumber.trim(), lines, warehouseCode: input.warehouseCode?.trim() || null, reason };
  const { result } = await runWrite(writes.prisma, {
    actor,
    operation: "amendOrder",
    idempotency: { key: input.idempotencyKey, request },
    decide: (tx) => decideAmendment(tx, actor, request),
  });
  return result;
}

async function decideAmendment(
  tx: ErpTransaction,
  actor: WriteActor,
  request: { orderNumber: string; lines: { sku: string; quantity: string }[]; warehouseCode: string | null; reason: string },
) {
  const { orderNumber } = request;
  // The order's lock first (every write to an order's lines takes it), then the customer's.
  const [order] = await tx.$queryRaw<LockedOrder[]>`
    SELECT "id", "customerNumber", "status"::text AS "status", "warehouseCode", "total"::text AS "total", pg_current_xact_id()::text AS "txid"
    FROM "SalesOrder" WHERE "orderNumber" = ${orderNumber} FOR UPDATE`;
  if (!order) throw crossdockError(ErrorCode.UNKNOWN_ORDER, `No order ${orderNumber}`, { field: "orderNumber" });
  requireCustomerAccess(actor.principal, order.customerNumber);
  const current = await tx.$queryRaw<{ sku: string; quantity: string; unitPrice: string; quantityShipped: string }[]>`
    SELECT "sku", "quantity"::text AS "quantity", "unitPrice"::text AS "unitPrice", "quantityShipped"::text AS "quantityShipped"
    FROM "SalesOrderLine" WHERE "orderId" = ${order.id} ORDER BY "lineNumber"`;
  if (!AMENDABLE.has(order.status) || current.some((line) => toDecimal(line.quantityShipped).gt(0))) {
    throw crossdockError(ErrorCode.INVALID_STATE, `Order ${orderNumber} is ${order.status}; only orders nothing has shipped from can be amended`, {
      field: "orderNumber",
    });
  }
  const warehouseCode = request.warehouseCode ?? order.warehouseCode;
  const changeCursor = changeCursorOf(order.txid);
  const unchanged = (outcome: "RELEASED" | "CREDIT_HOLD") => ({
    result: { orderNumber, outcome, reason: null, message: "The amendment changes nothing", amendmentNumber: null, changeCursor } as AmendOrderResult,
    audit: { entityType: "Order", entityKey: orderNumber, detail: { ...request, unchanged: true } },
  });
  if (warehouseCode === order.warehouseCode && sameLines(current, request.lines)) return unchanged(order.status as "RELEASED" | "CREDIT_HOLD");

  if (warehouseCode !== order.warehouseCode) {
    const [known] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "InventoryLedger" WHERE "warehouseCode" = ${warehouseCode} LIMIT 1`;
    if (!known) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${warehouseCode}`, { field: "warehouseCode" });
  }
  const skus = request.lines.map((line) => line.sku);
  // Per SKU: the current price, and what the warehouse has left for it once every other open order there is served.
  const facts = await tx.$queryRaw<{ sku: string; price: string | null; available: string | null }[]>`
    SELECT w."sku", COALESCE(cp."unitPrice", p."listPrice")::text AS "price",
      (SELECT l."onHand" - COALESCE((
         SELECT SUM(ol."quantity" - ol."quantityShipped") FROM "SalesOrderLine" ol JOIN "SalesOrder" o ON o."id" = ol."orderId"
         WHERE o."warehouseCode" = ${warehouseCode} AND o."status" IN ('RELEASED', 'PARTIALLY_SHIPPED') AND ol."sku" = w."sku" AND o."id" <> ${order.id}), 0)
       FROM "InventoryLedger" l WHERE l."sku" = w."sku" AND l."warehouseCode" = ${warehouseCode})::text AS "available"
    FROM unnest(${skus}::text[]) AS w("sku")
    LEFT JOIN "Product" p ON p."sku" = w."sku"
    LEFT JOIN "CustomerPrice" cp ON cp."customerNumber" = ${order.customerNumber} AND cp."sku" = w."sku"`;
  const bySku = new Map(facts.map((f) => [f.sku, f]));
  const amended: AmendedLine[] = request.lines.map((line, index) => {
    const fact = bySku.get(line.sku);
    if (!fact || fact.price === null) throw crossdockError(ErrorCode.UNKNOWN_SKU, `Unknown SKU ${line.sku}`, { field: `lines.${index}.sku` });
    // A line the order already had keeps the price it was accepted at; a new line takes today's.
    const kept = current.find((c) => c.sku === line.sku);
    const quantity = new Decimal(line.quantity);
    // Only what the amendment adds at this warehouse needs stock the order did not already hold there.
    const held = kept && warehouseCode === order.warehouseCode && order.status === "RELEASED" ? toDecimal(kept.quantity) : new Decimal(0);
    const available = fact.available === null ? new Decimal(0) : toDecimal(fact.available);
    if (quantity.gt(held) && quantity.gt(available.plus(held))) {
      throw crossdockError(
        ErrorCode.INSUFFICIENT_STOCK,
        `${warehouseCode} has ${Decimal.max(available, 0).toFixed()} of ${line.sku} to promise, not ${line.quantity}`,
        {
          field: `lines.${index}.quantity`,
          detail: { available: Decimal.max(available, 0).toFixed() },
        },
      );
    }
    return { sku: line.sku, quantity, unitPrice: toDecimal(kept?.unitPrice ?? fact.price) };
  });

  const [customer] = await tx.$queryRaw<{ status: string; creditLimit: string; openBalance: string }[]>`
    SELECT "status"::text AS "status", "creditLimit"::text AS "creditLimit", "openBalance"::text AS "openBalance"
    FROM "Customer" WHERE "customerNumber" = ${order.customerNumber} FOR UPDATE`;
  const decision = decideAmendedCredit({
    customer: customer!,
    orderStatus: order.status,
    previousTotal: toDecimal(order.total),
    lines: amended,
  });
  if (decision.outcome === "REJECTED") {
    return {
      result: { orderNumber, outcome: "REJECTED", reason: decision.reason, message: decision.message, amendmentNumber: null, changeCursor } as AmendOrderResult,
      audit: { entityType: "Order", entityKey: orderNumber, detail: { ...request, outcome: "REJECTED", reason: decision.reason } },
    };
  }
  const amendmentNumber = await writeAmendment(tx, { order, warehouseCode, current, amended, decision, reason: request.reason });
  return {
    result: { orderNumber, outcome: decision.outcome, reason: decision.reason, message: decision.message, amendmentNumber, changeCursor } as AmendOrderResult,
    audit: {
      entityType: "Order",
      entityKey: orderNumber,
      detail: {
        ...request,
        amendmentNumber,
        previousStatus: order.status,
        status: decision.outcome,
        previousTotal: moneyToString(order.total),
        total: moneyToString(decision.total),
      },
    },
  };
}

/** The lines replaced, the order and the open balance moved, and the amendment recorded; returns its number. */
async function writeAmendment(
  tx: ErpTransaction,
  options: {
    order: LockedOrder;
    warehouseCode: string;
    current: { sku: string; quantity: string; unitPrice: string }[];
    amended: AmendedLine[];
    decision: Extract<AmendmentOutcome, { outcome: "RELEASED" | "CREDIT_HOLD" }>;
    reason: string;
  },
): Promise<string> {
  const { order, warehouseCode, current, amended, decision } = options;
  const previousLines = current.map((line) => ({ sku: line.sku, quantity: toDecimal(line.quantity).toFixed(), unitPrice: moneyToString(line.unitPrice) }));
  const lines = amended.map((line) => ({ sku: line.sku, quantity: line.quantity.toFixed(), unitPrice: line.unitPrice.toFixed(2) }));
  const previouslyReleased = order.status === "RELEASED" ? toDecimal(order.total) : new Decimal(0);
  const nowReleased = decision.outcome === "RELEASED" ? decision.total : new Decimal(0);
  // An amendment that puts the order back as it was before the latest one undoes it: the flows
  // compensate a refused amendment that way and must not compensate the undo in turn.
  const [latest] = await tx.$queryRaw<
    { amendmentNumber: string; previousWarehouseCode: string; previousLines: { sku: string; quantity: string }[]; revertsAmendment: string | null }[]
  >`
    SELECT "amendmentNumber", "previousWarehouseCode", "previousLines", "revertsAmendment" FROM "OrderAmendment" WHERE "orderId" = ${order.id} ORDER BY "id" DESC LIMIT 1`;
  const reverts =
    latest && latest.revertsAmendment === null && latest.previousWarehouseCode === warehouseCode && sameLines(latest.previousLines, lines)
      ? latest.amendmentNumber
      : null;

  await tx.$executeRaw`DELETE FROM "SalesOrderLine" WHERE "orderId" = ${order.id}`;
  await tx.salesOrderLine.createMany({
    data: lines.map((line, index) => ({ orderId: order.id, lineNumber: index + 1, sku: line.sku, quantity: line.quantity, unitPrice: line.unitPrice })),
  });
  await tx.salesOrder.update({
    where: { id: order.id },
    data: { status: decision.outcome, warehouseCode, total: decision.total.toFixed(2) },
    select: { id: true },
  });
  const delta = nowReleased.minus(previouslyReleased);
  if (!delta.isZero()) {
    await tx.customer.update({ where: { customerNumber: order.customerNumber }, data: { openBalance: { increment: delta.toFixed(2) } }, select: { id: true } });
  }
  const [row] = await tx.$queryRaw<{ amendmentNumber: string }[]>`
    INSERT INTO "OrderAmendment" ("id", "amendmentNumber", "orderId", "orderNumber", "customerNumber", "previousStatus", "status", "previousWarehouseCode",
      "warehouseCode", "previousLines", "lines", "previousTotal", "total", "reason", "revertsAmendment")
    SELECT n, 'AM-' || lpad(n::text, 6, '0'), ${order.id}, o."orderNumber", ${order.customerNumber}, ${order.status}::"OrderStatus", ${decision.outcome}::"OrderStatus",
      ${order.warehouseCode}, ${warehouseCode}, ${JSON.stringify(previousLines)}::jsonb, ${JSON.stringify(lines)}::jsonb, ${order.total}::numeric,
      ${decision.total.toFixed(2)}::numeric, ${options.reason}, ${reverts}
    FROM (SELECT nextval(pg_get_serial_sequence('"OrderAmendment"', 'id')) AS n) s, "SalesOrder" o WHERE o."id" = ${order.id}
    RETURNING "amendmentNumber"`;
  return row!.amendmentNumber;
}
