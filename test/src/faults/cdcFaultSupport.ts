// Support for the CDC fault-injection suite: seeded source databases, cdc-ingest as a child
// process that can be SIGKILLed and restarted, a burst of raw SQL changes, and the expected
// read model recomputed straight from the source tables. Never reads the hub to build expectations.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Database } from "@crossdock/platform";
import { Decimal } from "@crossdock/schema";
import { start as startErp, loadConfig as erpConfig } from "@crossdock/erp";
import { start as startWms, loadConfig as wmsConfig } from "@crossdock/wms";
import { createTestDatabases } from "../postgres.js";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export type CaptureMode = "pg-logical" | "outbox";

/** Mulberry32: small, seedable, good enough to make a failing run reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SourceDatabases {
  urls: { erp: string; wms: string; hub: string };
  drop(): Promise<void>;
}

/** Fresh ERP, WMS and hub databases; the ERP and WMS services run once to migrate and seed. */
export async function prepareSourceDatabases(seedScale: number): Promise<SourceDatabases> {
  const databases = await createTestDatabases(["erp", "wms", "hub"] as const);
  try {
    const env = { LOG_LEVEL: "warn" };
    const erp = await startErp({ ...erpConfig(env), port: 0, databaseUrl: databases.urls.erp, seed: { enabled: true, scale: seedScale } });
    await erp.stop();
    const wms = await startWms({ ...wmsConfig(env), port: 0, databaseUrl: databases.urls.wms, seed: { enabled: true, scale: seedScale } });
    await wms.stop();
    return databases;
  } catch (error) {
    await databases.drop();
    throw error;
  }
}

/** cdc-ingest as its own OS process, the way it runs in production, so a kill is a real crash. */
export class IngestProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Recent output of all incarnations, for the failure message. */
  readonly output: string[] = [];
  kills = 0;
  starts = 0;

  constructor(private readonly env: Record<string, string>) {}

  /** Spawns the process; resolves once it has opened the hub and begun starting its sources. */
  async spawn(): Promise<void> {
    const child = spawn(process.execPath, ["--import", "tsx", "cdc-ingest/src/index.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env, OPS_PORT: "0", LOG_LEVEL: "warn", CRM_DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    // The warning about the missing CRM source is logged inside start(), just before capture begins.
    const sourcesStarting = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        this.output.push(text);
        if (this.output.length > 200) this.output.shift();
        if (text.includes("not captured")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      void this.exited.then(() => resolve());
    });
    await sourcesStarting;
  }

  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    this.kills++;
    await this.exited;
  }

  /** Graceful stop at the end (SIGTERM runs stop(): slot released, connections closed). */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timeout = setTimeout(() => this.child?.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timeout);
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
}

interface BurstTargets {
  stockIds: number[];
  orderIds: number[];
  lineIds: number[];
  customers: string[];
  skus: string[];
  warehouses: string[];
}

async function loadTargets(erp: SourceWriter, wms: SourceWriter): Promise<BurstTargets> {
  const ids = (writer: SourceWriter, sql: string) => writer.transaction(async (run) => (await run(sql)).map((r) => r["v"] as string | number));
  return {
    stockIds: (await ids(wms, `SELECT id AS v FROM "Stock" ORDER BY id`)).map(Number),
    orderIds: (await ids(erp, `SELECT id AS v FROM "SalesOrder" ORDER BY id`)).map(Number),
    lineIds: (await ids(erp, `SELECT id AS v FROM "SalesOrderLine" ORDER BY id`)).map(Number),
    customers: (await ids(erp, `SELECT "customerNumber" AS v FROM "Customer" ORDER BY 1`)).map(String),
    // Only skus and warehouses the WMS stocks, so new orders allocate against real positions.
    skus: [...new Set((await ids(wms, `SELECT sku AS v FROM "Stock" ORDER BY 1`)).map(String))],
    warehouses: (await ids(wms, `SELECT DISTINCT "warehouseCode" AS v FROM "Stock" ORDER BY 1`)).map(String),
  };
}

/** Runs one statement inside a source transaction and returns its rows. */
export type RunSql = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** A source database the burst writes to: Postgres through a pool, or a platform Database (PGlite). */
export interface SourceWriter {
  transaction<T>(fn: (run: RunSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function postgresWriter(url: string, connections: number): SourceWriter {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  // An idle connection ended by the server must not crash the run; the pool replaces it.
  pool.on("error", () => undefined);
  return {
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(async (sql, params) => (await client.query(sql, params)).rows);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

export function databaseWriter(db: Database): SourceWriter {
  return {
    transaction: (fn) => db.transaction((session) => fn((sql, params) => session.query(sql, params))),
    close: async () => undefined,
  };
}

const STATUSES = ["RELEASED", "RELEASED", "PARTIALLY_SHIPPED", "CREDIT_HOLD", "SHIPPED", "CANCELLED", "INVOICED"];

/**
 * One small source transaction: returns how many captured rows it changed. Row locks are taken
 * in id order inside a transaction, and deadlocks or unique clashes with concurrent workers are
 * retried by the caller, so the burst never depends on timing.
 */
async function oneTransaction(run: RunSql, which: "erp" | "wms", t: BurstTargets, rnd: () => number, tag: string): Promise<number> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const qty = () =>
    (1 + Math.floor(rnd() * 20)).toString() +
    "." +
    Math.floor(rnd() * 1000)
      .toString()
      .padStart(3, "0");
  let rows = 0;
  if (which === "wms") {
    const ids = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(t.stockIds)))].sort((a, b) => a - b);
    for (const id of ids) {
      const delta = new Decimal(qty()).mul(rnd() < 0.45 ? -1 : 1).toString();
      rows += (await run(`UPDATE "Stock" SET "onHand" = GREATEST("onHand" + $2::numeric, 0), "updatedAt" = now() WHERE id = $1 RETURNING id`, [id, delta]))
        .length;
    }
  } else {
    const roll = rnd();
    if (roll < 0.25) {
      const res = await run(
        `INSERT INTO "SalesOrder" ("orderNumber", "customerNumber", "status", "warehouseCode", "total", "currency", "channel", "updatedAt")
         VALUES ($1, $2, $3::"OrderStatus", $4, 0, 'EUR', 'FAULT', now()) RETURNING id`,
        [`FAULT-${tag}`, pick(t.customers), rnd() < 0.7 ? "RELEASED" : pick(STATUSES), pick(t.warehouses)],
      );
      const orderId = Number(res[0]!["id"]);
      const lines = 1 + Math.floor(rnd() * 3);
      for (let n = 1; n <= lines; n++) {
        const line = await run(
          `INSERT INTO "SalesOrderLine" ("orderId", "lineNumber", "sku", "quantity", "unitPrice", "quantityShipped") VALUES ($1, $2, $3, $4, 9.99, 0) RETURNING id`,
          [orderId, n, pick(t.skus), qty()],
        );
        t.lineIds.push(Number(line[0]!["id"]));
      }
      t.orderIds.push(orderId);
      rows += 1 + lines;
    } else if (roll < 0.55) {
      rows += (
        await run(`UPDATE "SalesOrder" SET "status" = $2::"OrderStatus", "updatedAt" = now() WHERE id = $1 RETURNING id`, [pick(t.orderIds), pick(STATUSES)])
      ).length;
    } else if (roll < 0.95) {
      const ids = [...new Set([pick(t.lineIds), pick(t.lineIds)])].sort((a, b) => a - b);
      for (const id of ids) {
        const res = await run(
          `UPDATE "SalesOrderLine" SET "quantity" = $2::numeric, "quantityShipped" = LEAST($2::numeric, $3::numeric) WHERE id = $1 RETURNING id`,
          [id, qty(), rnd() < 0.5 ? "0" : qty()],
        );
        rows += res.length;
      }
    } else {
      rows += (await run(`DELETE FROM "SalesOrderLine" WHERE id = $1 RETURNING id`, [pick(t.lineIds)])).length;
    }
  }
  return rows;
}

export interface BurstOptions {
  erp: SourceWriter;
  wms: SourceWriter;
  /** Captured row changes to write in total (the last transactions may overshoot a little). */
  changes: number;
  seed: number;
  /** Concurrent writers (each alternates between the two databases). */
  concurrency: number;
  /** Paces the writers to about this many row changes per second (benchmarks); default: flat out. */
  ratePerSecond?: number;
  /** Called after every committed source transaction with its row count and commit time. */
  onCommit?: (rows: number, committedAtMs: number) => void;
}

/** Writes the burst; returns the row changes written and the transactions they took. */
export async function writeBurst(options: BurstOptions): Promise<{ changes: number; transactions: number }> {
  const targets = await loadTargets(options.erp, options.wms);
  const startedMs = Date.now();
  let written = 0;
  let transactions = 0;
  let sequence = 0;
  const worker = async (id: number) => {
    const rnd = seededRandom(options.seed * 1000 + id);
    while (written < options.changes) {
      if (options.ratePerSecond) {
        const due = startedMs + (written / options.ratePerSecond) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const which = rnd() < 0.5 ? "wms" : "erp";
      try {
        const tag = `${options.seed}-${sequence++}`;
        // Awaited first: `written += await …` would add to a stale value read before the await.
        const rows = await options[which].transaction((run) => oneTransaction(run, which, targets, rnd, tag));
        written += rows;
        transactions++;
        options.onCommit?.(rows, Date.now());
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Deadlock, serialization or a duplicate order number between workers: just go on.
        if (code !== "40P01" && code !== "40001" && code !== "23505") throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  return { changes: written, transactions };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Markers {
  orderNumber: string;
  stockId: number;
  reserved: string;
}

/** The last change in each source: once both are in the hub, everything before them is too. */
export async function writeMarkers(erp: SourceWriter, wms: SourceWriter, tag: string): Promise<Markers> {
  const orderNumber = `MARKER-${tag}`;
  await erp.transaction((run) =>
    run(
      `INSERT INTO "SalesOrder" ("orderNumber", "customerNumber", "status", "warehouseCode", "total", "currency", "channel", "updatedAt")
       SELECT $1, "customerNumber", 'CREDIT_HOLD', 'MARK', 0, 'EUR', 'FAULT', now() FROM "Customer" ORDER BY 1 LIMIT 1`,
      [orderNumber],
    ),
  );
  // Distinct per tag, so a second marker on the same stock row is not mistaken for the first.
  const hash = [...tag].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 900_000, 7);
  const reserved = `${100_000 + hash}.125`;
  const [stock] = await wms.transaction((run) => run(`UPDATE "Stock" SET "reserved" = $1 WHERE id = (SELECT MIN(id) FROM "Stock") RETURNING id`, [reserved]));
  return { orderNumber, stockId: Number(stock!["id"]), reserved };
}

export interface HubReader {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export async function markersApplied(hub: HubReader, markers: Markers): Promise<boolean> {
  const rows = await hub.query<{ n: number }>(
    `SELECT (SELECT count(*)::int FROM "OrderStatusView" WHERE "orderNumber" = $1)
          + (SELECT count(*)::int FROM "SourceRow" WHERE "source" = 'wms' AND "tableName" = 'Stock' AND "sourceId" = $2 AND ("data"->>'reserved')::numeric = $3::numeric) AS n`,
    [markers.orderNumber, String(markers.stockId), markers.reserved],
  );
  return rows[0]?.n === 2;
}
