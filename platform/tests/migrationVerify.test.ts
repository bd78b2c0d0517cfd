// verifyMigrations: what a production service does at start instead of migrating. A database
// behind the release's migrations stops the start with one line and is left exactly as it was.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate, MigrationsBehindError, openDatabase, verifyMigrations, type Database } from "../src/index.js";

function addMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, "migration.sql"), sql);
}

async function tables(db: Database): Promise<string[]> {
  const rows = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  return rows.map((row) => row.name);
}

describe("verifyMigrations", () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "crossdock-verify-"));
    addMigration(dir, "0001_init", `CREATE TABLE "Thing" ("id" SERIAL PRIMARY KEY);`);
    db = await openDatabase("pglite:memory");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an empty database with one line naming the service, and creates nothing", async () => {
    const refusal = verifyMigrations(db, dir, { service: "erp" });
    await expect(refusal).rejects.toThrow(MigrationsBehindError);
    await expect(verifyMigrations(db, dir, { service: "erp" })).rejects.toThrow(
      /^erp database is behind its migrations \(1 pending, first 0001_init\): run `crossdock migrate`$/,
    );
    expect(await tables(db)).toEqual([]);
  });

  it("accepts a migrated database and refuses it again when the release brings a new migration", async () => {
    await migrate(db, dir);
    expect(await verifyMigrations(db, dir, { service: "erp" })).toEqual({ applied: [], alreadyApplied: 1 });
    addMigration(dir, "0002_more", `ALTER TABLE "Thing" ADD COLUMN "size" INTEGER;`);
    await expect(verifyMigrations(db, dir, { service: "erp" })).rejects.toThrow(/1 pending, first 0002_more/);
    const columns = await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Thing'`);
    expect(columns.map((c) => c.column_name)).toEqual(["id"]);
  });

  it("refuses a migration that changed after it was applied", async () => {
    await migrate(db, dir);
    writeFileSync(join(dir, "0001_init", "migration.sql"), `CREATE TABLE "Thing" ("id" BIGSERIAL PRIMARY KEY);`);
    await expect(verifyMigrations(db, dir, { service: "crm" })).rejects.toThrow(/crm database: migration 0001_init differs/);
  });

  it("reads the history table it is given (the flows keep their own)", async () => {
    await db.exec(`CREATE TABLE "_flows_migrations" ("id" VARCHAR(36) PRIMARY KEY, "checksum" VARCHAR(64) NOT NULL,
      "migration_name" VARCHAR(255) NOT NULL UNIQUE, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "finished_at" TIMESTAMPTZ)`);
    await expect(verifyMigrations(db, dir, { service: "flows", table: "_flows_migrations" })).rejects.toThrow(/^flows database is behind/);
    await migrate(db, dir);
    // Prisma's history does not count for the flows.
    await expect(verifyMigrations(db, dir, { service: "flows", table: "_flows_migrations" })).rejects.toThrow(MigrationsBehindError);
  });
});
