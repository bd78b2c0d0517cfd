import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANONYMOUS,
  WRITE_BOOKKEEPING_SQL,
  currentChangeCursor,
  decodePrincipal,
  describeStatement,
  encodePrincipal,
  signPrincipal,
  verifyPrincipal,
  envBool,
  envInt,
  openDatabase,
  operationLabeler,
  requestFingerprint,
  runWrite,
  type Database,
  type Principal,
  type RawSqlTransaction,
  type WriteTransactions,
} from "../src/index.js";

const tx = (session: { query: Database["query"] }): RawSqlTransaction & { query: Database["query"] } => ({
  query: session.query,
  $queryRawUnsafe: (q, ...v) => session.query(q, v) as never,
});

const alice: Principal = { kind: "user", subject: "alice", scopes: [] };
const bob: Principal = { kind: "partner", subject: "bob", scopes: [], customerNumber: "C-1" };

describe("the write frame: idempotency per caller and audit", () => {
  let db: Database;
  let transactions: WriteTransactions<ReturnType<typeof tx>>;
  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`))[0]!.n;
  const counter = async () => (await db.query<{ n: number }>(`SELECT "n" FROM "Counter"`))[0]!.n;
  const bookkeeping = async () => ({ counter: await counter(), audits: await count("AuditEntry"), keys: await count("IdempotencyKey") });

  beforeAll(async () => {
    db = await openDatabase("pglite:memory");
    await db.exec(WRITE_BOOKKEEPING_SQL + `CREATE TABLE "Counter" ("n" INT NOT NULL); INSERT INTO "Counter" VALUES (0);`);
    transactions = (fn) => db.transaction((session) => fn(tx(session)));
  });
  afterAll(async () => db.close());

  const bump = (key: string, request: unknown, principal: Principal = ANONYMOUS) =>
    runWrite(transactions, {
      actor: { principal, requestId: "r1" },
      operation: "bump",
      idempotency: { key, request },
      decide: async (t) => {
        const [row] = await t.query<{ n: number }>(`UPDATE "Counter" SET "n" = "n" + 1 RETURNING "n"`);
        return { result: { n: row!.n, cursor: await currentChangeCursor(t, "test") }, audit: { entityType: "Counter", entityKey: "1", detail: request } };
      },
    });

  it("runs once per key and replays the first result, returning the audit entry as a value", async () => {
    const first = await bump("k1", { by: 1 }, alice);
    const again = await bump("k1", { by: 1 }, alice);
    expect(first).toMatchObject({ replayed: false, audit: { principal: alice, requestId: "r1", operation: "bump", entityType: "Counter", entityKey: "1" } });
    expect(again).toEqual({ replayed: true, result: first.result, audit: null, written: null });
    expect(first.result.cursor).toMatch(/^test:\d+$/);
    expect(await counter()).toBe(1);
    expect(await db.query(`SELECT "subject", "subjectKind", "requestId", "operation", "entityKey" FROM "AuditEntry"`)).toEqual([
      { subject: "alice", subjectKind: "user", requestId: "r1", operation: "bump", entityKey: "1" },
    ]);
  });

  it("scopes keys to the caller: another subject's same key with other input is its own write; the same subject's is refused", async () => {
    const before = await bookkeeping();
    const bobs = await bump("k1", { by: 5 }, bob);
    expect(bobs.replayed).toBe(false);
    expect(bobs.result.n).toBe(before.counter + 1);
    // Each caller replays its own stored response, not the other's.
    expect((await bump("k1", { by: 5 }, bob)).result).toEqual(bobs.result);
    expect((await bump("k1", { by: 1 }, alice)).result.n).toBe(1);
    const afterBob = await bookkeeping();
    expect(afterBob).toEqual({ counter: before.counter + 1, audits: before.audits + 1, keys: before.keys + 1 });
    await expect(bump("k1", { by: 2 }, alice)).rejects.toMatchObject({ extensions: { code: "IDEMPOTENCY_KEY_REUSED" } });
    await expect(bump("k1", { by: 2 }, bob)).rejects.toMatchObject({ extensions: { code: "IDEMPOTENCY_KEY_REUSED" } });
    await expect(bump(" ", { by: 1 })).rejects.toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(await bookkeeping()).toEqual(afterBob);
  });

  it("answers a key claimed before keys had callers (an upgraded database) as it did then, for any caller", async () => {
    // The row the attribution migrations leave for a key claimed before them: caller ''.
    const legacy = { n: 41, cursor: "test:1" };
    await db.query(`INSERT INTO "IdempotencyKey" ("caller", "scope", "key", "requestHash", "response") VALUES ('', 'bump', 'legacy-1', $1, $2::jsonb)`, [
      requestFingerprint({ by: 3 }),
      JSON.stringify(legacy),
    ]);
    const before = await bookkeeping();
    const retried = await bump("legacy-1", { by: 3 }, alice);
    expect(retried).toMatchObject({ replayed: true, result: legacy });
    await expect(bump("legacy-1", { by: 4 }, bob)).rejects.toMatchObject({ extensions: { code: "IDEMPOTENCY_KEY_REUSED" } });
    expect(await bookkeeping()).toEqual(before);
  });

  it("writes the audit entry in the statement that stores the response, once per key; a write that changed nothing audits nothing", async () => {
    const audited = async () => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "AuditEntry" WHERE "operation" = 'label'`))[0]!.n);
    const label = (text: string, changed = true) =>
      runWrite(transactions, {
        actor: { principal: bob, requestId: "r2" },
        operation: "label",
        idempotency: changed ? { key: "label-1", request: { text } } : null,
        decide: async () => ({ result: { text }, audit: changed ? { entityType: "Label", entityKey: text, detail: { text } } : null }),
      });
    expect(await label("a")).toMatchObject({ replayed: false, result: { text: "a" } });
    expect(await label("a")).toMatchObject({ replayed: true, result: { text: "a" }, audit: null });
    expect(await label("b", false)).toMatchObject({ replayed: false, audit: null });
    expect(await audited()).toBe(1);
    const [entry] = await db.query(`SELECT "subject", "subjectKind", "entityKey", "detail" FROM "AuditEntry" WHERE "operation" = 'label'`);
    expect(entry).toEqual({ subject: "bob", subjectKind: "partner", entityKey: "a", detail: { text: "a" } });
  });

  it("keeps the audit log append-only: UPDATE, DELETE and TRUNCATE are refused and change nothing", async () => {
    const before = await db.query(`SELECT * FROM "AuditEntry" ORDER BY "id"`);
    expect(before.length).toBeGreaterThan(0);
    await expect(db.query(`UPDATE "AuditEntry" SET "subject" = 'mallory'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.query(`DELETE FROM "AuditEntry"`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.exec(`TRUNCATE "AuditEntry"`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await db.query(`SELECT * FROM "AuditEntry" ORDER BY "id"`)).toEqual(before);
  });

  it("is exact under concurrency: 20 distinct keys, 20 increments; 20 same keys, one", async () => {
    const before = await counter();
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(`c${i}`, { i })));
    await Promise.all(Array.from({ length: 20 }, () => bump("same", { same: true })));
    expect(await counter()).toBe(before + 21);
  });
});

describe("principals, statements and env", () => {
  it("round-trips principals and treats junk as anonymous", () => {
    const principal = { kind: "partner" as const, subject: "acme", scopes: ["orders:read"], customerNumber: "C-10001" };
    expect(decodePrincipal(encodePrincipal(principal))).toEqual(principal);
    expect(decodePrincipal("%%%")).toEqual(ANONYMOUS);
    expect(decodePrincipal(undefined)).toEqual(ANONYMOUS);
  });

  it("accepts only principals signed with the shared secret", () => {
    const principal = { kind: "service" as const, subject: "flows", scopes: ["*"] };
    const header = signPrincipal(principal, "s3cret");
    expect(verifyPrincipal(header, "s3cret")).toEqual(principal);
    // Another secret, an unsigned header, a tampered payload and junk are all anonymous.
    expect(verifyPrincipal(header, "other")).toEqual(ANONYMOUS);
    expect(verifyPrincipal(encodePrincipal(principal), "s3cret")).toEqual(ANONYMOUS);
    const forged = encodePrincipal({ ...principal, subject: "admin" });
    expect(verifyPrincipal(`${forged}.${header.split(".")[1]}`, "s3cret")).toEqual(ANONYMOUS);
    expect(verifyPrincipal("a.b.c", "s3cret")).toEqual(ANONYMOUS);
    expect(verifyPrincipal(undefined, "s3cret")).toEqual(ANONYMOUS);
  });

  it("labels SQL statements by table and operation", () => {
    expect(describeStatement(`SELECT "public"."SalesOrder"."id" FROM "public"."SalesOrder" WHERE 1=1`)).toEqual({ model: "SalesOrder", operation: "SELECT" });
    expect(describeStatement(`INSERT INTO "public"."Stock" ("a") VALUES ($1)`)).toEqual({ model: "Stock", operation: "INSERT" });
  });

  it("bounds operation-name metric labels", () => {
    const label = operationLabeler(2);
    expect([label("A"), label("B"), label("C"), label("A"), label("bad name!"), label(undefined)]).toEqual(["A", "B", "other", "A", "other", "anonymous"]);
  });

  it("validates environment values", () => {
    expect(envInt({ P: "4000" }, "P", 1)).toBe(4000);
    expect(() => envInt({ P: "x" }, "P", 1)).toThrow(/P must be an integer/);
    expect(() => envInt({ P: "70000" }, "P", 1, { max: 65535 })).toThrow(/at most 65535/);
    expect(envBool({ B: "0" }, "B", true)).toBe(false);
    expect(() => envBool({ B: "maybe" }, "B", true)).toThrow(/B must be/);
  });
});
