// Applies one batch of decoded changes from one system of record to the read model in ONE
// transaction: mirror rows (guarded by source position, so redelivery changes nothing), the
// projections for the keys the batch touched, the change-feed entries, the checkpoint, the
// applied source transactions and any dead letters found while decoding the batch.
import type { Database, SqlSession } from "@crossdock/platform";
import type { DebeziumRowChange } from "../debezium/index.js";
import type { FeedEntry, FeedEntryInput } from "../feed/feedTypes.js";
import { appendFeedEntries, FEED_CHANNEL } from "../feed/changeFeed.js";
import { insertDeadLetters, type DeadLetterInput } from "../dlq/deadLetters.js";
import { foldMirrorWrites, type MirrorWrite, type PlainRow } from "./mirrorChanges.js";
import { projectInventoryPositions, refreshOpenAllocations, type InventoryKey } from "./inventoryProjection.js";
import { projectOrderStatuses, touchOrderEvents, type OrderKey } from "./orderStatusProjection.js";
import { projectShipmentEvents } from "./shipmentProjection.js";
import { projectCaseEvents } from "./caseProjection.js";
import { projectReceiptEvents } from "./receiptProjection.js";

export interface BatchToApply {
  source: string;
  changes: readonly DebeziumRowChange[];
  /** Source transactions seen in the batch (markers included), for read-your-writes. */
  txIds: readonly string[];
  deadLetters: readonly DeadLetterInput[];
  /** Highest source position in the batch, for the checkpoint. */
  position: string;
  lastCommittedAt: Date | null;
  eventCount: number;
}

export interface AppliedBatch {
  feed: FeedEntry[];
  mirrorRowsChanged: number;
}

/**
 * Serializes read-model applies across ingestors (one per source, possibly in several
 * processes). The projections mix sources: the ERP's batch recomputes a position from the
 * WMS stock mirror and vice versa. Under READ COMMITTED two concurrent batches would each
 * compute from the other's pre-commit mirror, and the later upsert would overwrite the
 * earlier with a half-stale row (lost update). Taken first, so every read sees the other's commit.
 */
const READ_MODEL_APPLY_LOCK = 7_730_002;

const str = (row: PlainRow, column: string): string | null => {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
};

async function upsertMirror(session: SqlSession, source: string, writes: readonly MirrorWrite[]): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const changed = await session.query<{ tableName: string; sourceId: string }>(
    `INSERT INTO "SourceRow" ("source", "tableName", "sourceId", "data", "position", "committedAt", "deleted")
     SELECT $1, x.t, x.id, x.data, x.pos, x.ts, x.del FROM jsonb_to_recordset($2::jsonb) AS x(t text, id text, data jsonb, pos text, ts timestamptz, del boolean)
     ON CONFLICT ("source", "tableName", "sourceId") DO UPDATE SET
       "data" = CASE WHEN excluded."deleted" THEN "SourceRow"."data" WHEN "SourceRow"."deleted" THEN excluded."data" ELSE "SourceRow"."data" || excluded."data" END,
       "position" = excluded."position", "committedAt" = excluded."committedAt", "deleted" = excluded."deleted"
     WHERE excluded."position" > "SourceRow"."position"
     RETURNING "tableName", "sourceId"`,
    [
      source,
      JSON.stringify(writes.map((w) => ({ t: w.table, id: w.sourceId, data: w.data, pos: w.position, ts: w.committedAt.toISOString(), del: w.deleted }))),
    ],
  );
  return new Set(changed.map((row) => `${row.tableName}|${row.sourceId}`));
}

/** ERP orders whose open allocations may have moved: changed orders and the orders of changed lines (old and new). */
function touchedOrderIds(writes: readonly MirrorWrite[]): string[] {
  const ids: string[] = [];
  for (const w of writes) {
    if (w.table === "SalesOrder") ids.push(w.sourceId);
    if (w.table === "SalesOrderLine") for (const image of w.images) ids.push(...[str(image, "orderId")].filter((id): id is string => id !== null));
  }
  return ids;
}

/** Inventory keys and orders touched through ERP order lines need the mirrored order rows. */
async function resolveOrderLineKeys(session: SqlSession, writes: readonly MirrorWrite[], inventory: InventoryKey[], orders: OrderKey[]): Promise<void> {
  const lineIds = writes.filter((w) => w.table === "SalesOrderLine").map((w) => w.sourceId);
  const orderWrites = writes.filter((w) => w.table === "SalesOrder");
  const invoiceOrderIds = writes
    .filter((w) => w.table === "Invoice")
    .flatMap((w) => w.images.map((i) => str(i, "orderId")).filter((v): v is string => v !== null));
  if (lineIds.length === 0 && orderWrites.length === 0 && invoiceOrderIds.length === 0) return;
  const orderIds = orderWrites.map((w) => w.sourceId);
  const committed = new Map<string, Date>();
  for (const w of writes)
    if (w.table === "SalesOrderLine" || w.table === "SalesOrder" || w.table === "Invoice") committed.set(`${w.table}|${w.sourceId}`, w.committedAt);
  // The touched order ids first, then primary-key and expression-index lookups: an OR over
  // the whole order mirror made every batch scan all orders and lines (cost grew with history).
  const rows = await session.query<{ sku: string | null; wh: string | null; num: string | null; orderId: string; lineId: string | null }>(
    `SELECT l."data"->>'sku' AS sku, o."data"->>'warehouseCode' AS wh, o."data"->>'orderNumber' AS num, o."sourceId" AS "orderId", l."sourceId" AS "lineId"
     FROM (SELECT unnest($1::text[]) AS id UNION SELECT unnest($3::text[])
           UNION SELECT x."data"->>'orderId' FROM "SourceRow" x WHERE x."source" = 'erp' AND x."tableName" = 'SalesOrderLine' AND x."sourceId" = ANY($2::text[])) ids
     JOIN "SourceRow" o ON o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND o."sourceId" = ids.id
     LEFT JOIN "SourceRow" l ON l."source" = 'erp' AND l."tableName" = 'SalesOrderLine' AND l."data"->>'orderId' = o."sourceId"`,
    [orderIds, lineIds, invoiceOrderIds],
  );
  const batchTime = writes.reduce((max, w) => (w.committedAt > max ? w.committedAt : max), new Date(0));
  const lineSet = new Set(lineIds);
  const orderSet = new Set(orderIds);
  // An order may have moved warehouse: its lines touch the old warehouse too.
  const warehousesByOrder = new Map<string, Set<string>>();
  for (const w of orderWrites) {
    const set = new Set<string>();
    for (const image of w.images) {
      const wh = str(image, "warehouseCode");
      if (wh) set.add(wh);
    }
    warehousesByOrder.set(w.sourceId, set);
  }
  for (const row of rows) {
    const at = committed.get(`SalesOrderLine|${row.lineId}`) ?? committed.get(`SalesOrder|${row.orderId}`) ?? batchTime;
    if (row.num) orders.push({ orderNumber: row.num, committedAt: at });
    if (!row.sku) continue;
    if (!(row.lineId && lineSet.has(row.lineId)) && !orderSet.has(row.orderId)) continue;
    const warehouses = new Set(warehousesByOrder.get(row.orderId) ?? []);
    if (row.wh) warehouses.add(row.wh);
    for (const wh of warehouses) inventory.push({ sku: row.sku, warehouseCode: wh, committedAt: at });
  }
  // Lines deleted with their order are gone from the mirror join: use their images.
  for (const w of writes) {
    if (w.table !== "SalesOrderLine" || !w.deleted) continue;
    for (const image of w.images) {
      const sku = str(image, "sku");
      const order = rows.find((r) => r.orderId === str(image, "orderId"));
      if (sku && order?.wh) inventory.push({ sku, warehouseCode: order.wh, committedAt: w.committedAt });
    }
  }
}

export async function applyBatch(db: Database, batch: BatchToApply, applyTruncate?: (session: SqlSession) => Promise<void>): Promise<AppliedBatch> {
  const writes = foldMirrorWrites(batch.changes);
  return db.transaction(async (session) => {
    await session.query("SELECT pg_advisory_xact_lock($1)", [READ_MODEL_APPLY_LOCK]);
    if (applyTruncate) await applyTruncate(session);
    const changedIds = await upsertMirror(session, batch.source, writes);
    const changed = writes.filter((w) => changedIds.has(`${w.table}|${w.sourceId}`));
    const inventory: InventoryKey[] = [];
    const orders: OrderKey[] = [];
    for (const w of changed) {
      for (const image of w.images) {
        if (w.table === "Stock") {
          const sku = str(image, "sku");
          const wh = str(image, "warehouseCode");
          if (sku && wh) inventory.push({ sku, warehouseCode: wh, committedAt: w.committedAt });
        }
        if (w.table === "SalesOrder" || w.table === "FulfillmentOrder" || w.table === "Shipment") {
          const num = str(image, "orderNumber");
          if (num) orders.push({ orderNumber: num, committedAt: w.committedAt });
        }
      }
    }
    await resolveOrderLineKeys(session, changed, inventory, orders);
    await refreshOpenAllocations(session, touchedOrderIds(changed));
    const entries: FeedEntryInput[] = [
      ...(await projectInventoryPositions(session, inventory)),
      ...(await projectOrderStatuses(session, orders)),
      ...(await projectShipmentEvents(session, changed)),
      ...(await projectCaseEvents(changed)),
      ...(await projectReceiptEvents(session, changed)),
    ];
    await touchOrderEvents(session, orders);
    const feed = await appendFeedEntries(session, batch.source, batch.position, entries);
    await insertDeadLetters(session, batch.deadLetters);
    await session.query(
      `INSERT INTO "SourceCheckpoint" ("source", "position", "lastEventAt", "lastCommittedAt", "eventsApplied", "updatedAt")
       VALUES ($1, $2, now(), $3, $4, now())
       ON CONFLICT ("source") DO UPDATE SET "position" = GREATEST("SourceCheckpoint"."position", excluded."position"), "lastEventAt" = excluded."lastEventAt",
         "lastCommittedAt" = COALESCE(excluded."lastCommittedAt", "SourceCheckpoint"."lastCommittedAt"),
         "eventsApplied" = "SourceCheckpoint"."eventsApplied" + excluded."eventsApplied", "updatedAt" = excluded."updatedAt"`,
      [batch.source, batch.position, batch.lastCommittedAt?.toISOString() ?? null, batch.eventCount],
    );
    if (batch.txIds.length > 0) {
      await session.query(`INSERT INTO "AppliedTransaction" ("source", "txId", "appliedAt") SELECT $1, unnest($2::text[]), now() ON CONFLICT DO NOTHING`, [
        batch.source,
        [...new Set(batch.txIds)],
      ]);
    }
    // Other processes (gateway replicas, flows) tail the feed from Postgres; NOTIFY fires on commit.
    if (feed.length > 0) await session.query(`SELECT pg_notify('${FEED_CHANNEL}', $1)`, [feed.at(-1)!.cursor]);
    return { feed, mirrorRowsChanged: changed.length };
  });
}
