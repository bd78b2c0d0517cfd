import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Database } from "../src/index.js";

describe("migrator", () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crossdock-migrations-"));
    mkdirSync(join(dir, "0001_init"));
    writeFileSync(join(dir, "0001_init", "migration.sql"), `CREATE TABLE "Thing" ("id" SERIAL PRIMARY KEY, "name" TEXT NOT NULL);`);
    db = await openDatabase("pglite:memory");
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies pending migrations once and records them the way Prisma Migrate does", async () => {
    expect(await migrate(db, dir)).toEqual({ applied: ["0001_init"], alreadyApplied: 0 });
    expect(await migrate(db, dir)).toEqual({ applied: [], alreadyApplied: 1 });
    const [row] = await db.query<{ migration_name: string; checksum: string; finished: boolean; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations"`,
    );
    expect(row).toMatchObject({ migration_name: "0001_init", finished: true, applied_steps_count: 1 });
    expect(row!.checksum).toMatch(/^[0-9a-f]{64}$/);
    await db.query(`INSERT INTO "Thing" ("name") VALUES ('x')`);
  });

  it("applies a new migration and refuses one that changed after it was applied", async () => {
    mkdirSync(join(dir, "0002_more"));
    writeFileSync(join(dir, "0002_more", "migration.sql"), `ALTER TABLE "Thing" ADD COLUMN "size" INTEGER;`);
    expect((await migrate(db, dir)).applied).toEqual(["0002_more"]);
    writeFileSync(join(dir, "0001_init", "migration.sql"), `CREATE TABLE "Thing" ("id" SERIAL PRIMARY KEY);`);
    await expect(migrate(db, dir)).rejects.toThrow(/0001_init was changed/);
  });

  it("rolls a failing migration back and records the failure", async () => {
    const bad = mkdtempSync(join(tmpdir(), "crossdock-bad-"));
    mkdirSync(join(bad, "0001_bad"));
    writeFileSync(join(bad, "0001_bad", "migration.sql"), `CREATE TABLE "Half" ("id" INT); SELECT * FROM "NoSuchTable";`);
    const other = await openDatabase("pglite:memory");
    try {
      await expect(migrate(other, bad)).rejects.toThrow(/0001_bad failed/);
      expect(await other.query(`SELECT to_regclass('"Half"') AS t`)).toEqual([{ t: null }]);
      await expect(migrate(other, bad)).rejects.toThrow(/failed earlier/);
    } finally {
      await other.close();
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
