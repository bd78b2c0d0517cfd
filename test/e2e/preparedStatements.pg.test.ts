// The platform's Postgres database handle: parameterised statements run prepared (parsed and planned once
// per connection), and a prepared SELECT * whose table changed shape keeps working.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@crossdock/platform";
import { createTestDatabases, postgresAvailable } from "../src/index.js";

// Skipped only without a server; with CROSSDOCK_REQUIRE_POSTGRES=1 (CI) postgresAvailable() throws instead.
describe.skipIf(!(await postgresAvailable()))("Postgres database handle", () => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const databases = await createTestDatabases(["platform"]);
    drop = databases.drop;
    db = await openDatabase(databases.urls.platform);
    await db.exec(`CREATE TABLE "Widget" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL); INSERT INTO "Widget" VALUES (1, 'one'), (2, 'two');`);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("runs a parameterised statement used again as a named prepared statement of its connection", async () => {
    const sql = `SELECT "name" FROM "Widget" WHERE "id" = $1`;
    const preparedAs = (session: { query: Database["query"] }) =>
      session.query<{ name: string }>(`SELECT "name" FROM pg_prepared_statements WHERE "statement" = $1`, [sql]);
    const [afterFirst, afterSecond] = await db.withSession(async (session) => {
      expect(await session.query(sql, [1])).toEqual([{ name: "one" }]);
      const first = await preparedAs(session);
      expect(await session.query(sql, [2])).toEqual([{ name: "two" }]);
      return [first, await preparedAs(session)];
    });
    // A text seen once (a one-off statement) takes no place among the prepared ones.
    expect(afterFirst).toEqual([]);
    expect(afterSecond).toHaveLength(1);
    expect(afterSecond![0]!.name).toMatch(/^crossdock_[0-9a-f]{20}$/);
  });

  it("keeps answering a prepared SELECT * after its table gained a column", async () => {
    const sql = `SELECT * FROM "Widget" WHERE "id" = $1`;
    // Ten at once take all ten pooled connections; all but the first use prepare it on theirs.
    await Promise.all(Array.from({ length: 10 }, () => db.query(sql, [1])));
    await db.exec(`ALTER TABLE "Widget" ADD COLUMN "size" INTEGER NOT NULL DEFAULT 7`);
    for (let i = 0; i < 10; i++) expect(await db.query(sql, [2])).toEqual([{ id: 2, name: "two", size: 7 }]);
    // Transactions run on their own pool, whose connections read the new shape as well.
    expect(await db.transaction((tx) => tx.query(sql, [1]))).toEqual([{ id: 1, name: "one", size: 7 }]);
  });
});
