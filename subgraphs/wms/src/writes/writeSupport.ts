// How WMS writes reach the platform's write frame (claim the caller's key, decide, store the
// response with the audit entry, one transaction): in Prisma's interactive transactions, or in
// plain SQL for the hottest writes; fresh DataLoaders afterwards. Also the row locks and input
// checks the writes share. It never commits a half-done write.
import { prismaWriteTransactions, runWrite, type RawSqlTransaction, type SqlTransaction, type WriteDecision, type WriteOutcome } from "@crossdock/platform";
import type { FulfillmentStatus } from "../__generated__/prisma/enums.js";
import { crossdockError, Decimal, ErrorCode } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import { Prisma, type WmsTransaction } from "../db.js";
import { createWmsLoaders } from "../loaders.js";

export interface WmsWriteOptions<T, Tx = WmsTransaction, W = never> {
  /** The mutation's name: the audit operation and the idempotency scope. */
  operation: string;
  /** Absent for writes that are idempotent by nature (cancelling a cancelled fulfilment). */
  idempotency?: { key: string; request: unknown };
  /** Returns plain JSON identifiers (stored for replays) and what to audit; null audit = nothing written. */
  decide: (tx: Tx) => Promise<WriteDecision<T, W>>;
}

/** A write in one Prisma interactive transaction. */
export async function runWmsWrite<T>(ctx: WmsContext, options: WmsWriteOptions<T>): Promise<WriteOutcome<T>> {
  const outcome = await runWrite(prismaWriteTransactions<WmsTransaction>(ctx.prisma), { ...options, actor: actorOf(ctx) });
  // Later fields of the same operation must not see rows cached before this write.
  ctx.loaders = createWmsLoaders(ctx.prisma, ctx.sql);
  return outcome;
}

/** The same frame in one plain-SQL transaction, for the hottest writes (a fraction of Prisma's CPU per statement). */
export async function runWmsSqlWrite<T, W = never>(ctx: WmsContext, options: WmsWriteOptions<T, SqlTransaction, W>): Promise<WriteOutcome<T, W>> {
  const outcome = await runWrite(ctx.transaction, { ...options, actor: actorOf(ctx) });
  ctx.loaders = createWmsLoaders(ctx.prisma, ctx.sql);
  return outcome;
}

/** The audit subject: always the verified principal, never anything in the arguments. */
function actorOf(ctx: WmsContext) {
  return { principal: ctx.principal, requestId: ctx.requestId, traceparent: ctx.traceparent };
}

/** A quantity that fits numeric(18,3): at most 3 fraction digits and 15 integer digits. */
export function parseQuantity(text: string, field: string): Decimal {
  const value = new Decimal(text);
  if (value.decimalPlaces() > 3) throw crossdockError(ErrorCode.INVALID_QUANTITY, `${field} allows at most 3 decimal places`, { field });
  if (value.abs().gte("1e15")) throw crossdockError(ErrorCode.INVALID_QUANTITY, `${field} is too large`, { field });
  return value;
}

export function positiveQuantity(text: string, field: string): Decimal {
  const value = parseQuantity(text, field);
  if (value.lte(0)) throw crossdockError(ErrorCode.INVALID_QUANTITY, `${field} must be greater than 0`, { field });
  return value;
}

export function requireText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw crossdockError(ErrorCode.BAD_USER_INPUT, `${field} must not be empty`, { field });
  return trimmed;
}

export function rejectDuplicateSkus(lines: readonly { sku: string }[]): void {
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (seen.has(line.sku)) throw crossdockError(ErrorCode.BAD_USER_INPUT, `sku ${line.sku} appears more than once`, { field: `lines.${index}.sku` });
    seen.add(line.sku);
  });
}

// Row locks: on Postgres two concurrent writes to the same fulfilment or stock would
// otherwise both pass validation on stale reads. (PGlite serializes anyway.)
export async function lockFulfillment(tx: WmsTransaction, fulfillmentId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT "id" FROM "FulfillmentOrder" WHERE "fulfillmentId" = ${fulfillmentId} FOR UPDATE`;
  return rows.length > 0;
}

export async function lockStock(tx: WmsTransaction, warehouseCode: string, skus: readonly string[]): Promise<void> {
  if (skus.length === 0) return;
  await tx.$queryRaw`SELECT "id" FROM "Stock" WHERE "warehouseCode" = ${warehouseCode} AND "sku" IN (${Prisma.join([...skus])}) ORDER BY "id" FOR UPDATE`;
}

/** Whether any warehouse ever held the sku (in a Prisma or a plain-SQL transaction). */
export async function skuEverStocked(tx: RawSqlTransaction, sku: string): Promise<boolean> {
  return (await tx.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "Stock" WHERE "sku" = $1 LIMIT 1`, sku)).length > 0;
}

/**
 * SQL for the next document number, as FF-W000001 / SH-W000001, from a sequence the migration
 * creates, to use inside a statement: at least six digits, more once the sequence passes 999999.
 */
export function documentNumberSql(prefix: "FF" | "SH"): string {
  const sequence = prefix === "FF" ? "FulfillmentNumberSeq" : "ShipmentNumberSeq";
  return `(SELECT '${prefix}-W' || CASE WHEN length(n) < 6 THEN lpad(n, 6, '0') ELSE n END FROM (SELECT nextval('"${sequence}"')::text AS n) AS seq)`;
}

export interface LockedFulfillmentLine {
  id: number;
  sku: string;
  binCode: string;
  quantity: string;
  quantityPicked: string;
  quantityShipped: string;
}

export interface LockedFulfillment {
  fulfillmentId: string;
  orderNumber: string;
  warehouseCode: string;
  status: FulfillmentStatus;
  lines: LockedFulfillmentLine[];
}

/**
 * A fulfilment, locked, then its lines in id order; null when there is none. Two statements on
 * purpose: a statement that waited for the lock sees the locked row as it is now but every other
 * row as of its start, so lines read in the same statement could predate the write it waited for.
 */
export async function lockedFulfillment(tx: SqlTransaction, fulfillmentId: string): Promise<LockedFulfillment | null> {
  const [fulfillment] = await tx.query<Omit<LockedFulfillment, "lines">>(
    `SELECT "fulfillmentId", "orderNumber", "warehouseCode", "status"::text AS "status" FROM "FulfillmentOrder" WHERE "fulfillmentId" = $1 FOR UPDATE`,
    [fulfillmentId],
  );
  if (!fulfillment) return null;
  const lines = await tx.query<LockedFulfillmentLine>(
    `SELECT "id", "sku", "binCode", "quantity"::text AS "quantity", "quantityPicked"::text AS "quantityPicked", "quantityShipped"::text AS "quantityShipped"
     FROM "FulfillmentLine" WHERE "fulfillmentId" = $1 ORDER BY "id"`,
    [fulfillmentId],
  );
  return { ...fulfillment, lines };
}

export interface LockedStockRow {
  id: number;
  sku: string;
  binCode: string;
  onHand: string;
  reserved: string;
}

/** The skus' stock rows at a warehouse, locked in id order (as every write locks stock) and read in one statement. */
export async function lockedStock(tx: SqlTransaction, warehouseCode: string, skus: readonly string[]): Promise<LockedStockRow[]> {
  if (skus.length === 0) return [];
  return tx.query<LockedStockRow>(
    `SELECT "id", "sku", "binCode", "onHand"::text AS "onHand", "reserved"::text AS "reserved"
     FROM "Stock" WHERE "warehouseCode" = $1 AND "sku" = ANY($2::text[]) ORDER BY "id" FOR UPDATE`,
    [warehouseCode, [...skus]],
  );
}
