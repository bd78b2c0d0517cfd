// recordShipment: the ERP's side of a WMS shipment — quantities shipped per line, the inventory
// ledger decrement, the order's status and, once everything has shipped, the invoice. One
// transaction with its idempotency key and audit entry; a shipment is never counted twice.
// Plain SQL (once per order in order-to-cash): the key's claim, one read under the order's
// locks, one write, and the stored response with the audit entry — four statements.
import { requireOwnCustomerObject, runWrite, type SqlTransaction, type WriteDecision } from "@crossdock/platform";
import { crossdockError, ErrorCode, toDecimal } from "@crossdock/schema";
import { SALES_ORDER_COLUMNS, toInvoice, toSalesOrder, type SalesOrderSqlRow, type WrittenRows } from "./orderRows.js";
import { normalizeQuantityLines, type QuantityLineInput } from "./quantityLines.js";
import { changeCursorOf, type ErpWrites, type WriteActor } from "./transaction.js";

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

/** The stored result, and the rows this call wrote (not on a replay). */
export interface RecordShipmentOutcome {
  result: RecordShipmentResult;
  written: WrittenRows | null;
}

interface LockedOrder {
  id: number;
  customerNumber: string;
  status: string;
  warehouseCode: string;
  billingHold: boolean;
  /** Whether a shipment with this id is already recorded, as of the statement's snapshot. */
  seen: boolean;
  lines: { id: number; sku: string; quantity: string; quantityShipped: string }[];
  txid: string;
}

type ShippedOrderRow = SalesOrderSqlRow & {
  seen: boolean;
  invoiceId: number | null;
  invoiceNumber: string | null;
  invoiceAmount: string | null;
  invoiceStatus: string | null;
  invoiceIssuedAt: Date | string | null;
};

const SHIPPABLE = new Set(["RELEASED", "PARTIALLY_SHIPPED"]);

// $1 order number, $2 shipment id. The order row first, then its lines (their CTE needs the
// order's id), both locked: every write to an order's lines locks the order first, and a locked
// row is read as it is after any wait, so the quantities checked are the current ones.
const LOCK_ORDER_SQL = `
WITH locked AS (
  SELECT "id", "customerNumber", "status"::text AS "status", "warehouseCode", "billingHold" FROM "SalesOrder" WHERE "orderNumber" = $1 FOR UPDATE
), lines AS (
  SELECT "id", "lineNumber", "sku", "quantity"::text AS "quantity", "quantityShipped"::text AS "quantityShipped"
  FROM "SalesOrderLine" WHERE "orderId" = (SELECT "id" FROM locked) FOR UPDATE
)
SELECT o."id", o."customerNumber", o."status", o."warehouseCode", o."billingHold",
  EXISTS (SELECT 1 FROM "AuditEntry" WHERE "operation" = 'recordShipment' AND "entityType" = 'Shipment' AND "entityKey" = $2) AS "seen",
  (SELECT json_agg(json_build_object('id', l."id", 'sku', l."sku", 'quantity', l."quantity", 'quantityShipped', l."quantityShipped") ORDER BY l."lineNumber")
     FROM lines l) AS "lines",
  pg_current_xact_id()::text AS "txid"
FROM locked o`;

// $1 order id, $2 new status, $3 issue the invoice, $4 its number, $5 shipment id, $6..$9 the
// shipped lines (line id, sku, quantity in this shipment, new quantityShipped), $10 warehouse.
// Ledger rows are upserted in sku order so concurrent shipments lock them in one order. "seen"
// asks again with this statement's snapshot, taken after the order's lock was granted: a
// concurrent recording of the same shipment under another key, committed while this one waited,
// is only visible from here (the transaction then rolls back).
const SHIP_SQL = `
WITH shipped AS (
  SELECT * FROM unnest($6::int[], $7::text[], $8::numeric[], $9::numeric[]) AS s("lineId", "sku", "quantity", "quantityShipped")
), line_updates AS (
  UPDATE "SalesOrderLine" l SET "quantityShipped" = s."quantityShipped" FROM shipped s WHERE l."id" = s."lineId"
), ledger AS (
  INSERT INTO "InventoryLedger" ("sku", "warehouseCode", "onHand", "updatedAt")
  SELECT s."sku", $10::text, -s."quantity", now() FROM shipped s ORDER BY s."sku"
  ON CONFLICT ("sku", "warehouseCode") DO UPDATE SET "onHand" = "InventoryLedger"."onHand" + EXCLUDED."onHand", "updatedAt" = EXCLUDED."updatedAt"
), updated AS (
  UPDATE "SalesOrder" SET "status" = $2::"OrderStatus", "updatedAt" = now() WHERE "id" = $1
  RETURNING ${SALES_ORDER_COLUMNS}
), existing_invoice AS (
  SELECT "id", "invoiceNumber", "orderId", "amount", "status", "issuedAt" FROM "Invoice" WHERE "orderId" = $1 AND $3::boolean
), issued_invoice AS (
  INSERT INTO "Invoice" ("invoiceNumber", "orderId", "amount", "status", "issuedAt")
  SELECT $4::text, u."id", u."total"::numeric, 'OPEN', now() FROM updated u WHERE $3::boolean AND NOT EXISTS (SELECT 1 FROM existing_invoice)
  RETURNING "id", "invoiceNumber", "orderId", "amount", "status", "issuedAt"
), invoice AS (
  SELECT * FROM issued_invoice UNION ALL SELECT * FROM existing_invoice
)
SELECT u.*,
  EXISTS (SELECT 1 FROM "AuditEntry" WHERE "operation" = 'recordShipment' AND "entityType" = 'Shipment' AND "entityKey" = $5) AS "seen",
  i."id" AS "invoiceId", i."invoiceNumber", i."amount"::text AS "invoiceAmount", i."status"::text AS "invoiceStatus", i."issuedAt" AS "invoiceIssuedAt"
FROM updated u LEFT JOIN invoice i ON true`;

export async function recordShipment(writes: ErpWrites, actor: WriteActor, input: RecordShipmentInput): Promise<RecordShipmentOutcome> {
  const shipmentId = input.shipmentId.trim();
  if (shipmentId === "") throw crossdockError(ErrorCode.BAD_USER_INPUT, "shipmentId must not be empty", { field: "shipmentId" });
  const lines = normalizeQuantityLines(input.lines);
  const request = { orderNumber: input.orderNumber, shipmentId, lines };
  const { result, written } = await runWrite(writes.sql, {
    actor,
    operation: "recordShipment",
    idempotency: { key: input.idempotencyKey, request },
    decide: (tx) => shipOrder(tx, actor, request),
  });
  return { result, written };
}

async function shipOrder(
  tx: SqlTransaction,
  actor: WriteActor,
  request: { orderNumber: string; shipmentId: string; lines: QuantityLineInput[] },
): Promise<WriteDecision<RecordShipmentResult, WrittenRows>> {
  const { orderNumber, shipmentId, lines } = request;
  const [order] = await tx.query<LockedOrder>(LOCK_ORDER_SQL, [orderNumber, shipmentId]);
  const unknown = () => crossdockError(ErrorCode.UNKNOWN_ORDER, `No order ${orderNumber}`, { field: "orderNumber" });
  if (!order) throw unknown();
  requireOwnCustomerObject(actor.principal, order.customerNumber, unknown);
  // A shipment recorded under another key must not ship the goods a second time.
  const alreadyRecorded = () => crossdockError(ErrorCode.INVALID_STATE, `Shipment ${shipmentId} is already recorded`, { field: "shipmentId" });
  if (order.seen) throw alreadyRecorded();
  if (!SHIPPABLE.has(order.status)) {
    throw crossdockError(ErrorCode.INVALID_STATE, `Order ${orderNumber} is ${order.status}; only RELEASED or PARTIALLY_SHIPPED orders ship`, {
      field: "orderNumber",
    });
  }
  const orderLines = order.lines ?? [];
  const shipped = new Map(orderLines.map((line) => [line.sku, toDecimal(line.quantityShipped)]));
  const changes = lines.map((line, index) => {
    const orderLine = orderLines.find((l) => l.sku === line.sku);
    if (!orderLine) throw crossdockError(ErrorCode.BAD_USER_INPUT, `Order ${orderNumber} has no line for ${line.sku}`, { field: `lines.${index}.sku` });
    const total = shipped.get(line.sku)!.plus(line.quantity);
    if (total.gt(toDecimal(orderLine.quantity))) {
      throw crossdockError(
        ErrorCode.INVALID_QUANTITY,
        `Shipping ${line.quantity} of ${line.sku} would exceed the ordered ${toDecimal(orderLine.quantity).toFixed()}`,
        {
          field: `lines.${index}.quantity`,
        },
      );
    }
    shipped.set(line.sku, total);
    return { lineId: orderLine.id, sku: line.sku, quantity: line.quantity, quantityShipped: total.toFixed() };
  });
  const fullyShipped = orderLines.every((l) => shipped.get(l.sku)!.gte(toDecimal(l.quantity)));
  // A billing hold defers the invoice until the hold is lifted (see billingHold.ts).
  const invoiced = fullyShipped && !order.billingHold;
  const status = invoiced ? "INVOICED" : fullyShipped ? "SHIPPED" : "PARTIALLY_SHIPPED";

  const [row] = await tx.query<ShippedOrderRow>(SHIP_SQL, [
    order.id,
    status,
    invoiced,
    // Numbered like the seeded invoices; an order that somehow has one keeps it (as issueInvoice does).
    `INV-${orderNumber.replace(/^SO-/, "")}`,
    shipmentId,
    changes.map((c) => c.lineId),
    changes.map((c) => c.sku),
    changes.map((c) => c.quantity),
    changes.map((c) => c.quantityShipped),
    order.warehouseCode,
  ]);
  if (row!.seen) throw alreadyRecorded();
  const invoice =
    row!.invoiceId === null
      ? undefined
      : toInvoice({
          id: row!.invoiceId,
          invoiceNumber: row!.invoiceNumber!,
          orderId: order.id,
          amount: row!.invoiceAmount!,
          status: row!.invoiceStatus!,
          issuedAt: row!.invoiceIssuedAt!,
        });
  const invoiceNumber = invoice?.invoiceNumber ?? null;
  return {
    result: { orderNumber, shipmentId, status, invoiceNumber, changeCursor: changeCursorOf(order.txid) },
    audit: {
      entityType: "Shipment",
      entityKey: shipmentId,
      detail: { orderNumber, lines, status, invoiceNumber },
    },
    written: { order: toSalesOrder(row!), ...(invoice ? { invoice } : {}) },
  };
}
