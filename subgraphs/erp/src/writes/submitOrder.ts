// submitOrder: the ERP's decision on an incoming order — accept (RELEASED), hold
// (CREDIT_HOLD) or reject (REJECTED) — in one transaction with its idempotency key and audit
// entry. Errors (unknown customer or warehouse) write nothing; rejections store only the key.
// Plain SQL (the hottest ERP write, once per order): the key's claim, one read, one write, and
// the stored response with the audit entry — four statements between BEGIN and COMMIT.
import { requireCustomerAccess, runWrite, type AuditSubject, type SqlTransaction, type WriteDecision } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, moneyToString, toDecimal } from "@crossdock/schema";
import { availabilityJsonSql, chooseWarehouse, fallbackWarehousesJsonSql, type AvailabilityRow } from "./chooseWarehouse.js";
import { normalizeSubmitOrder, type SubmitOrderInput, type SubmitOrderRequest } from "./orderInput.js";
import { SALES_ORDER_COLUMNS, toSalesOrder, type SalesOrderSqlRow, type WrittenRows } from "./orderRows.js";
import { changeCursorOf, type ErpWrites, type WriteActor } from "./transaction.js";

export type SubmitOutcome = "RELEASED" | "CREDIT_HOLD" | "REJECTED";
export type SubmitReason = "CREDIT_LIMIT_EXCEEDED" | "CUSTOMER_ON_CREDIT_HOLD" | "CUSTOMER_BLOCKED" | "UNKNOWN_SKU";

/** Plain JSON: stored with the idempotency key and handed back unchanged on every retry. */
export interface SubmitOrderResult {
  orderNumber: string | null;
  outcome: SubmitOutcome;
  reason: SubmitReason | null;
  message: string | null;
  changeCursor: string;
}

/** The stored result, and the order row when this call wrote one (not on a replay or a rejection). */
export interface SubmitOrderOutcome {
  result: SubmitOrderResult;
  written: WrittenRows | null;
}

/** What the one read returns: the locked customer, each requested SKU's prices, and the warehouse figures. */
interface OrderFacts {
  customerNumber: string;
  status: "ACTIVE" | "CREDIT_HOLD" | "BLOCKED";
  creditLimit: string;
  openBalance: string;
  currency: string;
  warehouseKnown: boolean;
  /** One entry per requested SKU; listPrice null = no such product. */
  prices: { sku: string; listPrice: string | null; contractPrice: string | null }[];
  /** Only when the caller named no warehouse. */
  availability: AvailabilityRow[] | null;
  fallbackWarehouses: string[] | null;
  txid: string;
}

// numeric(18,2) holds sixteen integer digits.
const MAX_ORDER_TOTAL = new Decimal("1e16");
const SUBMITTED_ORDER_CHANNEL = "API";

// $1 customer, $2 the SKUs (text[]), $3 the named warehouse or null.
// The customer's row lock serializes concurrent submits for one customer, so two orders can never
// both pass the credit check against the same open balance; a locked row is read as it is after
// the wait, while prices and availability come from the statement's snapshot (availability only
// steers the warehouse choice, it guards nothing). The key's claim already gave the transaction
// its id, so the change cursor comes along here.
const READ_ORDER_FACTS_SQL = `
WITH customer AS (
  SELECT "customerNumber", "status"::text AS "status", "creditLimit"::text AS "creditLimit", "openBalance"::text AS "openBalance", "currency"
  FROM "Customer" WHERE "customerNumber" = $1 FOR UPDATE
)
SELECT c."customerNumber", c."status", c."creditLimit", c."openBalance", c."currency",
  ($3::text IS NULL OR EXISTS (SELECT 1 FROM "InventoryLedger" WHERE "warehouseCode" = $3::text)) AS "warehouseKnown",
  (SELECT json_agg(json_build_object('sku', w."sku", 'listPrice', p."listPrice"::text, 'contractPrice', cp."unitPrice"::text) ORDER BY w."position")
     FROM unnest($2::text[]) WITH ORDINALITY AS w("sku", "position")
     LEFT JOIN "Product" p ON p."sku" = w."sku"
     LEFT JOIN "CustomerPrice" cp ON cp."customerNumber" = c."customerNumber" AND cp."sku" = w."sku") AS "prices",
  CASE WHEN $3::text IS NULL THEN ${availabilityJsonSql("$2::text[]")} END AS "availability",
  CASE WHEN $3::text IS NULL THEN ${fallbackWarehousesJsonSql("$2::text[]")} END AS "fallbackWarehouses",
  pg_current_xact_id()::text AS "txid"
FROM customer c`;

// $1 customer, $2 status, $3 warehouse, $4 total, $5 currency, $6 channel, $7 idempotency key,
// $8 requestedBy, $9..$12 the lines (lineNumber, sku, quantity, unitPrice). The order, its lines
// and (released only) the open balance in one statement; the order row comes back for the response.
const CREATE_ORDER_SQL = `
WITH created AS (
  INSERT INTO "SalesOrder" ("orderNumber", "customerNumber", "status", "warehouseCode", "total", "currency", "channel", "idempotencyKey", "requestedBy", "placedAt", "updatedAt")
  VALUES ('SO-' || nextval('"SalesOrderNumber_seq"'), $1, $2::"OrderStatus", $3, $4::numeric, $5, $6, $7, $8, now(), now())
  RETURNING ${SALES_ORDER_COLUMNS}
), lines AS (
  INSERT INTO "SalesOrderLine" ("orderId", "lineNumber", "sku", "quantity", "unitPrice")
  SELECT o."id", l."lineNumber", l."sku", l."quantity", l."unitPrice"
  FROM created o CROSS JOIN unnest($9::int[], $10::text[], $11::numeric[], $12::numeric[]) AS l("lineNumber", "sku", "quantity", "unitPrice")
), balance AS (
  UPDATE "Customer" SET "openBalance" = "openBalance" + $4::numeric
  WHERE "customerNumber" = $1 AND EXISTS (SELECT 1 FROM created WHERE "status" = 'RELEASED')
)
SELECT * FROM created`;

export async function submitOrder(writes: ErpWrites, actor: WriteActor, input: SubmitOrderInput): Promise<SubmitOrderOutcome> {
  const request = normalizeSubmitOrder(input);
  const { result, written } = await runWrite(writes.sql, {
    actor,
    operation: "submitOrder",
    idempotency: { key: request.idempotencyKey, request },
    decide: (tx) => decideOrder(tx, actor, request),
  });
  return { result, written };
}

type Decision = WriteDecision<SubmitOrderResult, WrittenRows>;

async function decideOrder(tx: SqlTransaction, actor: WriteActor, request: SubmitOrderRequest): Promise<Decision> {
  // A partner orders for its own customer only; refused before anything is read or written.
  requireCustomerAccess(actor.principal, request.customerNumber);
  const skus = request.lines.map((line) => line.sku);
  const [facts] = await tx.query<OrderFacts>(READ_ORDER_FACTS_SQL, [request.customerNumber, skus, request.warehouseCode]);
  if (!facts) throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `No customer ${request.customerNumber}`, { field: "customerNumber" });
  if (!facts.warehouseKnown) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${request.warehouseCode}`, { field: "warehouseCode" });
  const changeCursor = changeCursorOf(facts.txid);
  const audit = (entityType: string, entityKey: string, detail: unknown): AuditSubject => ({ entityType, entityKey, detail });
  // A rejection is a write too: its audit entry is what the audit log and read-your-writes
  // (the captured AuditEntry marks the transaction as applied) see of it.
  const reject = (reason: SubmitReason, message: string): Decision => ({
    result: { orderNumber: null, outcome: "REJECTED", reason, message, changeCursor },
    audit: audit("Customer", facts.customerNumber, { outcome: "REJECTED", reason, message, idempotencyKey: request.idempotencyKey }),
  });

  if (facts.status === "BLOCKED") return reject("CUSTOMER_BLOCKED", `Customer ${facts.customerNumber} is blocked`);
  const prices = new Map(facts.prices.map((price) => [price.sku, price]));
  const unknown = skus.filter((sku) => (prices.get(sku)?.listPrice ?? null) === null);
  if (unknown.length > 0) return reject("UNKNOWN_SKU", `Unknown SKU${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);

  const lines = request.lines.map((line, index) => {
    const price = prices.get(line.sku)!;
    return {
      lineNumber: index + 1,
      sku: line.sku,
      quantity: new Decimal(line.quantity),
      unitPrice: toDecimal(price.contractPrice ?? price.listPrice!),
    };
  });
  const total = lines.reduce((sum, line) => sum.plus(line.quantity.mul(line.unitPrice)), new Decimal(0)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (total.gte(MAX_ORDER_TOTAL)) throw crossdockError(ErrorCode.BAD_USER_INPUT, "The order total is too large", { field: "lines" });

  const warehouseCode = request.warehouseCode ?? chooseWarehouse(lines, facts.availability ?? [], facts.fallbackWarehouses ?? []);
  if (warehouseCode === null) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, "The ERP knows no warehouse to ship from", { field: "warehouseCode" });

  const openBalance = toDecimal(facts.openBalance);
  const creditLimit = toDecimal(facts.creditLimit);
  const creditReason: SubmitReason | null =
    facts.status === "CREDIT_HOLD" ? "CUSTOMER_ON_CREDIT_HOLD" : openBalance.plus(total).gt(creditLimit) ? "CREDIT_LIMIT_EXCEEDED" : null;
  const status = creditReason === null ? "RELEASED" : "CREDIT_HOLD";

  const [created] = await tx.query<SalesOrderSqlRow>(CREATE_ORDER_SQL, [
    facts.customerNumber,
    status,
    warehouseCode,
    total.toFixed(2),
    facts.currency,
    SUBMITTED_ORDER_CHANNEL,
    request.idempotencyKey,
    request.requestedBy ?? `${actor.principal.kind}:${actor.principal.subject}`,
    lines.map((line) => line.lineNumber),
    lines.map((line) => line.sku),
    lines.map((line) => line.quantity.toFixed()),
    lines.map((line) => line.unitPrice.toFixed(2)),
  ]);
  const order = toSalesOrder(created!);
  const message =
    creditReason === "CUSTOMER_ON_CREDIT_HOLD"
      ? `Customer ${facts.customerNumber} is on credit hold`
      : creditReason === "CREDIT_LIMIT_EXCEEDED"
        ? `Open balance ${moneyToString(openBalance)} plus this order's ${moneyToString(total)} exceeds the credit limit ${moneyToString(creditLimit)}`
        : null;
  return {
    result: { orderNumber: order.orderNumber, outcome: status, reason: creditReason, message, changeCursor },
    audit: audit("Order", order.orderNumber, {
      customerNumber: facts.customerNumber,
      status,
      reason: creditReason,
      total: moneyToString(total),
      warehouseCode,
      idempotencyKey: request.idempotencyKey,
    }),
    written: { order },
  };
}
