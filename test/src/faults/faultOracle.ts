// The one oracle every fault scenario ends with, read straight from the systems of record and
// the hub database (never from the API under test): each acknowledged write exists exactly once,
// each failed one converges to once on a retry with its key, the read model equals its
// recomputation, every order's flow ends or parks with a reason, and each subscriber got each change once, in order.
import pg from "pg";
import { actualInventory, actualOrderStatuses, expectedInventory, expectedOrderStatuses } from "./cdcFaultExpectations.js";
import type { FaultLoad, Operation, OperationKind } from "./faultLoad.js";
import type { ResumingSubscriber } from "./faultSubscriber.js";
import type { DatabaseName } from "./processHub.js";

export interface OracleResult {
  attempted: number;
  acknowledged: number;
  /** Attempts that failed (an operation may fail a few times before it is acknowledged). */
  failedAttempts: number;
  /** Operations whose every attempt within the client's budget failed. */
  failed: number;
  /** Failed operations that had left a write behind before their retry (an ambiguous failure: the answer was lost). */
  failedButApplied: number;
  /** Acknowledged operations missing from their system of record, plus failed ones a retry did not converge. */
  lost: number;
  /** Operations (or flow side effects) found more than once. */
  duplicated: number;
  /** Orders whose run ended PARKED, with the reason (visible in flowRuns). */
  parked: { orderNumber: string; reason: string | null }[];
  subscriberEvents: number;
  subscriberResumes: number;
  /** Everything that broke a promise, for the assertion message. */
  problems: string[];
}

/** Where each kind of write lands, found by its idempotency key. */
const RECORD_OF: Record<OperationKind, { database: DatabaseName; sql: string }> = {
  submitOrder: { database: "erp", sql: `SELECT count(*)::int AS n FROM "SalesOrder" WHERE "idempotencyKey" = $1` },
  adjustInventory: { database: "wms", sql: `SELECT count(*)::int AS n FROM "StockMovement" WHERE "reference" = 'fault ' || $1` },
  confirmPick: { database: "wms", sql: `SELECT count(*)::int AS n FROM "PickTask" WHERE "idempotencyKey" = $1` },
  shipFulfillment: { database: "wms", sql: `SELECT count(*)::int AS n FROM "Shipment" WHERE "trackingNumber" = $1` },
  deliver: { database: "wms", sql: `SELECT count(*)::int AS n FROM "ShipmentMilestone" WHERE "note" = $1` },
};

export interface OracleOptions {
  load: FaultLoad;
  databaseUrls: Record<DatabaseName, string>;
  subscriber?: ResumingSubscriber;
  /** More subscribers (spread over the gateways), each checked like `subscriber`. */
  subscribers?: ResumingSubscriber[];
  /** How long the flows, the read model and the subscriber get to settle. */
  settleTimeoutMs?: number;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

function differences(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [key, value] of expected) if (actual.get(key) !== value) out.push(`${key}: expected ${value}, read model ${actual.get(key) ?? "missing"}`);
  for (const key of actual.keys()) if (!expected.has(key)) out.push(`${key}: in the read model only`);
  return out;
}

export async function checkOracle(options: OracleOptions): Promise<OracleResult> {
  const settle = options.settleTimeoutMs ?? 90_000;
  const clients = {} as Record<DatabaseName, pg.Client>;
  for (const name of ["erp", "wms", "hub"] as const) {
    clients[name] = new pg.Client({ connectionString: options.databaseUrls[name] });
    await clients[name].connect();
  }
  const problems: string[] = [];
  const count = async (operation: Operation) => {
    const record = RECORD_OF[operation.kind];
    return ((await clients[record.database].query<{ n: number }>(record.sql, [operation.key])).rows[0]?.n ?? 0) as number;
  };
  try {
    const { load } = options;
    const failedOperations = load.operations.filter((o) => !o.acknowledged);
    // A failed write either left nothing (the refusal said so) or its answer was lost; a retry with the same key settles it.
    let failedButApplied = 0;
    for (const operation of failedOperations) {
      if ((await count(operation)) > 0) failedButApplied++;
      await load.retry(operation, 40);
      if (!operation.acknowledged) problems.push(`${operation.kind} ${operation.key} still refused after recovery: ${operation.codes.slice(-3).join(", ")}`);
    }
    // Finish the warehouse work so every order can reach its end.
    const parkedNow = async () =>
      new Set(
        (await clients.hub.query<{ orderNumber: string }>(`SELECT "orderNumber" FROM "FlowRun" WHERE "flow" = 'orderToCash' AND "status" = 'PARKED'`)).rows.map(
          (r) => r.orderNumber,
        ),
      );
    const undelivered = await load.drainWarehouse(settle, parkedNow);
    if (undelivered.length > 0) problems.push(`orders never released to the warehouse: ${undelivered.join(", ")}`);
    let lost = 0;
    let duplicated = 0;
    for (const operation of load.operations) {
      const n = await count(operation);
      if (n === 0 && operation.acknowledged) {
        lost++;
        problems.push(`${operation.kind} ${operation.key} acknowledged but not in its system of record`);
      }
      if (n > 1) {
        duplicated++;
        problems.push(`${operation.kind} ${operation.key} found ${n} times`);
      }
    }
    // Every order's run ends (DELIVERED) or parks with a reason; each flow side effect happened once.
    const orders = load.orderNumbers();
    const runs = await until(
      async () =>
        (
          await clients.hub.query<{ orderNumber: string; status: string; lastError: string | null }>(
            `SELECT "orderNumber", "status", "lastError" FROM "FlowRun" WHERE "flow" = 'orderToCash' AND "orderNumber" = ANY($1::text[])`,
            [orders],
          )
        ).rows,
      (rows) => rows.length >= orders.length && rows.every((r) => r.status === "COMPLETED" || r.status === "PARKED"),
      settle,
    );
    for (const orderNumber of orders) {
      const mine = runs.filter((r) => r.orderNumber === orderNumber);
      if (mine.length !== 1) problems.push(`order ${orderNumber} has ${mine.length} order-to-cash runs`);
      const run = mine[0];
      if (run && run.status !== "COMPLETED" && !(run.status === "PARKED" && run.lastError))
        problems.push(`order ${orderNumber}: run ${run.status} (${run.lastError})`);
    }
    const parked = runs.filter((r) => r.status === "PARKED").map((r) => ({ orderNumber: r.orderNumber, reason: r.lastError }));
    const effects = async (database: DatabaseName, sql: string) =>
      new Map((await clients[database].query<{ k: string; n: number }>(sql, [orders])).rows.map((r) => [r.k, r.n]));
    const fulfilments = await effects(
      "wms",
      `SELECT "orderNumber" AS k, count(*)::int AS n FROM "FulfillmentOrder" WHERE "orderNumber" = ANY($1::text[]) AND status <> 'CANCELLED' GROUP BY 1`,
    );
    const invoices = await effects(
      "erp",
      `SELECT o."orderNumber" AS k, count(*)::int AS n FROM "Invoice" i JOIN "SalesOrder" o ON o.id = i."orderId" WHERE o."orderNumber" = ANY($1::text[]) GROUP BY 1`,
    );
    for (const orderNumber of orders) {
      if (parked.some((p) => p.orderNumber === orderNumber)) continue;
      for (const [what, found] of [
        ["fulfilment", fulfilments.get(orderNumber) ?? 0],
        ["invoice", invoices.get(orderNumber) ?? 0],
      ] as const) {
        if (found > 1) duplicated++;
        if (found !== 1) problems.push(`order ${orderNumber}: ${found} ${what}s`);
      }
    }
    // The read model equals its recomputation from the sources once capture has caught up.
    const readModel = await until(
      async () => [
        ...differences(await expectedInventory(clients.erp, clients.wms), await actualInventory(clients.hub)),
        ...differences(await expectedOrderStatuses(clients.erp, clients.wms), await actualOrderStatuses(clients.hub)),
      ],
      (diff) => diff.length === 0,
      settle,
    );
    problems.push(...readModel.slice(0, 10).map((d) => `read model: ${d}`));
    // Each subscriber saw every change of its position once, in order, across its resumes.
    const subscribers = [...(options.subscriber ? [options.subscriber] : []), ...(options.subscribers ?? [])];
    for (const [index, subscriber] of subscribers.entries()) {
      const who = subscribers.length > 1 ? `subscriber ${index + 1}` : "subscriber";
      const { sku, warehouseCode, startAfter } = subscriber.watching;
      const feed = (
        await clients.hub.query<{ cursor: string }>(
          `SELECT "cursor"::text AS cursor FROM "ChangeFeedEntry" WHERE "entityType" = 'InventoryPosition' AND "entityKey" = $1 AND "cursor" > $2::bigint ORDER BY "cursor"`,
          [`${sku}|${warehouseCode}`, startAfter.toString()],
        )
      ).rows.map((r) => BigInt(r.cursor));
      if (feed.length > 0) await subscriber.caughtUpTo(feed.at(-1)!, settle).catch((error: Error) => problems.push(error.message));
      const received = subscriber.cursors;
      const seen = new Set<bigint>();
      for (let i = 0; i < received.length; i++) {
        if (seen.has(received[i]!)) {
          duplicated++;
          problems.push(`${who} got cursor ${received[i]} twice`);
        } else if (i > 0 && received[i]! < received[i - 1]!) problems.push(`${who} got cursor ${received[i]} after ${received[i - 1]}`);
        seen.add(received[i]!);
      }
      const missed = feed.filter((cursor) => !seen.has(cursor));
      if (missed.length > 0) {
        lost += missed.length;
        problems.push(`${who} missed ${missed.length} changes (first ${missed[0]})`);
      }
    }
    return {
      attempted: load.operations.length,
      acknowledged: load.operations.filter((o) => o.acknowledged && !o.gaveUp).length,
      failed: load.operations.filter((o) => o.gaveUp).length,
      failedAttempts: load.operations.reduce((n, o) => n + o.codes.length, 0),
      failedButApplied,
      lost,
      duplicated,
      parked,
      subscriberEvents: subscribers.reduce((n, s) => n + s.cursors.length, 0),
      subscriberResumes: subscribers.reduce((n, s) => n + s.resumes, 0),
      problems,
    };
  } finally {
    for (const client of Object.values(clients)) await client.end().catch(() => undefined);
  }
}
