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
  recordAudit,
  runIdempotent,
  type Database,
  type RawSqlTransaction,
} from "../src/index.js";

const tx = (session: { query: Database["query"] }): RawSqlTransaction => ({ $queryRawUnsafe: (q, ...v) => session.query(q, v) as never });

describe("idempotent writes and audit", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase("pglite:memory");
    await db.exec(WRITE_BOOKKEEPING_SQL + `CREATE TABLE "Counter" ("n" INT NOT NULL); INSERT INTO "Counter" VALUES (0);`);
  });
  afterAll(async () => db.close());

  const bump = (key: string, request: unknown) =>
    db.transaction((session) =>
      runIdempotent({
        tx: tx(session),
        scope: "bump",
        key,
        request,
        execute: async () => {
          const [row] = await session.query<{ n: number }>(`UPDATE "Counter" SET "n" = "n" + 1 RETURNING "n"`);
          await recordAudit(tx(session), { principal: ANONYMOUS, requestId: "r1", operation: "bump", entityType: "Counter", entityKey: "1", detail: request });
          return { n: row!.n, cursor: await currentChangeCursor(tx(session), "test") };
        },
      }),
    );

  it("runs once per key and replays the first result", async () => {
    const first = await bump("k1", { by: 1 });
    const again = await bump("k1", { by: 1 });
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ replayed: true, result: first.result });
    expect(first.result.cursor).toMatch(/^test:\d+$/);
    expect(await db.query(`SELECT "n" FROM "Counter"`)).toEqual([{ n: 1 }]);
    expect(await db.query(`SELECT count(*)::int AS c FROM "AuditEntry"`)).toEqual([{ c: 1 }]);
  });

  it("refuses a reused key with different input and rolls everything back", async () => {
    await expect(bump("k1", { by: 2 })).rejects.toMatchObject({ extensions: { code: "IDEMPOTENCY_KEY_REUSED" } });
    await expect(bump(" ", { by: 1 })).rejects.toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(await db.query(`SELECT "n" FROM "Counter"`)).toEqual([{ n: 1 }]);
  });

  it("writes the audit entry in the statement that stores the response, once per key", async () => {
    const audited = async () => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "AuditEntry" WHERE "operation" = 'label'`))[0]!.n);
    const label = (text: string) =>
      db.transaction((session) =>
        runIdempotent({
          tx: tx(session),
          scope: "label",
          key: "label-1",
          request: { text },
          execute: async () => ({ text }),
          audit: () => ({ principal: ANONYMOUS, requestId: "r2", operation: "label", entityType: "Label", entityKey: text, detail: { text } }),
        }),
      );
    expect(await label("a")).toEqual({ replayed: false, result: { text: "a" } });
    expect(await label("a")).toEqual({ replayed: true, result: { text: "a" } });
    expect(await audited()).toBe(1);
    const [entry] = await db.query(`SELECT "principal", "entityKey", "detail" FROM "AuditEntry" WHERE "operation" = 'label'`);
    expect(entry).toEqual({ principal: "anonymous:anonymous", entityKey: "a", detail: { text: "a" } });
  });

  it("is exact under concurrency: 20 distinct keys, 20 increments; 20 same keys, one", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(`c${i}`, { i })));
    await Promise.all(Array.from({ length: 20 }, () => bump("same", { same: true })));
    expect(await db.query(`SELECT "n" FROM "Counter"`)).toEqual([{ n: 22 }]);
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
