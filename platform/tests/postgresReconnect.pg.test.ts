// A Postgres Database whose connections the server ends (what a restart or failover does to
// each of them): LISTEN is re-established and wakes its listener to catch up, a terminated
// session fails its statement alone, readiness follows the server, and the errors read as
// "database unavailable" (SERVICE_UNAVAILABLE), never as a bug. Skipped without Postgres unless required.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable, openDatabase, type Database } from "../src/index.js";

const ADMIN_URL = process.env.CROSSDOCK_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REQUIRED = process.env.CROSSDOCK_REQUIRE_POSTGRES === "1";

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const available = (await reachable()) || REQUIRED;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("isDatabaseUnavailable", () => {
  it("knows a server going away in its driver's, its pool's and Prisma's words, and nothing else", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("Server has closed the connection."), { code: "P1017" }))).toBe(true);
    expect(isDatabaseUnavailable({ message: "x", meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } })).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("the database system is shutting down"), { code: "57P03" }) }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error at or near "SELEC"'), { code: "42601" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key value"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("Cannot read properties of undefined"))).toBe(false);
  });
});

describe.skipIf(!available)("Postgres database after its connections are ended", () => {
  const name = `crossdock_reconnect_${randomBytes(4).toString("hex")}`;
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  let db: Database;

  const terminate = (where: string) => admin((c) => c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND ${where}`, [name]));

  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    db = await openDatabase(url);
  });

  afterAll(async () => {
    await db?.close();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it("LISTEN comes back by itself, wakes the listener to catch up, then hears later notifications", async () => {
    const heard: string[] = [];
    const unlisten = await db.listen("crossdock_test_channel", (payload) => heard.push(payload));
    await db.query(`SELECT pg_notify('crossdock_test_channel', 'before')`);
    await until(() => heard.includes("before"));
    await terminate(`query LIKE 'LISTEN%'`);
    // Re-established: one empty wake-up stands for whatever was notified while it was gone.
    await until(() => heard.includes(""));
    await db.query(`SELECT pg_notify('crossdock_test_channel', 'after')`);
    await until(() => heard.includes("after"));
    expect(heard).toEqual(["before", "", "after"]);
    await unlisten();
  });

  it("a session ended under a caller fails that caller as 'unavailable', and the next one is served", async () => {
    const failure = await db
      .withSession(async (session) => {
        const [{ pid }] = (await session.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)) as [{ pid: number }];
        await admin((c) => c.query(`SELECT pg_terminate_backend($1)`, [pid]));
        // The termination may land before or after this statement is sent: either way it fails.
        await until(
          async () =>
            await session.query(`SELECT 1`).then(
              () => false,
              () => true,
            ),
          5000,
        );
        return session.query(`SELECT 1`);
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(await db.query<{ one: number }>(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    expect(await db.withSession((session) => session.query<{ one: number }>(`SELECT 1 AS one`))).toEqual([{ one: 1 }]);
  });

  it("every pooled connection ended at once (a restart's fast shutdown): queries and transactions work again, readiness stays true", async () => {
    await Promise.all([db.query(`SELECT pg_sleep(0.05)`), db.transaction((tx) => tx.query(`SELECT 1`)), db.reachable()]);
    await terminate(`pid <> pg_backend_pid()`);
    await until(
      async () =>
        await db.query(`SELECT 1 AS one`).then(
          () => true,
          () => false,
        ),
    );
    expect(await db.transaction((tx) => tx.query<{ two: number }>(`SELECT 2 AS two`))).toEqual([{ two: 2 }]);
    await until(() => db.reachable());
    expect(await db.reachable()).toBe(true);
  });
});
