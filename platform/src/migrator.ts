// Applies a service's SQL migrations (Prisma's folder format, prisma/migrations/<id>/
// migration.sql) and records them in `_prisma_migrations` exactly as Prisma Migrate does,
// so `prisma migrate deploy` elsewhere accepts the database. It never edits a migration:
// an applied migration whose checksum changed is an error, not a silent re-run.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Database, SqlSession } from "./database.js";

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
);`;

// Prisma Migrate takes this advisory lock too, so the two never run at once on Postgres.
const PRISMA_ADVISORY_LOCK = 72707369;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/** A service's database lacks migrations its code needs: `crossdock migrate` applies them. */
export class MigrationsBehindError extends Error {
  override name = "MigrationsBehindError";
}

export interface VerifyMigrationsOptions {
  /** Named in the error, e.g. "erp". */
  service: string;
  /** Where the history is recorded; flows keep theirs apart in "_flows_migrations". */
  table?: string;
}

/**
 * For services started with `migrations: "verify"` (production): the database must hold every
 * migration of this release, unchanged, or the start stops here with a one-line reason. It
 * writes nothing, so it needs no lock: `crossdock migrate` is the one job that changes schemas.
 */
export async function verifyMigrations(db: Database, migrationsDir: string, options: VerifyMigrationsOptions): Promise<MigrationResult> {
  const table = options.table ?? "_prisma_migrations";
  const [exists] = await db.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`"${table}"`]);
  const rows = exists?.present ? await db.query<Record<string, unknown>>(`SELECT * FROM "${table}" WHERE finished_at IS NOT NULL`) : [];
  // Prisma's table marks rolled-back migrations; the flows' table has no such column.
  const done = new Map(rows.filter((row) => !row.rolled_back_at).map((row) => [String(row.migration_name), String(row.checksum)]));
  const pending: string[] = [];
  let alreadyApplied = 0;
  for (const migration of listMigrations(migrationsDir)) {
    const checksum = done.get(migration.name);
    if (checksum === undefined) pending.push(migration.name);
    else if (checksum !== migration.checksum) {
      throw new MigrationsBehindError(`${options.service} database: migration ${migration.name} differs from the applied one (checksum mismatch)`);
    } else alreadyApplied++;
  }
  if (pending.length > 0) {
    throw new MigrationsBehindError(
      `${options.service} database is behind its migrations (${pending.length} pending, first ${pending[0]}): run \`crossdock migrate\``,
    );
  }
  return { applied: [], alreadyApplied };
}

export function listMigrations(migrationsDir: string): { name: string; sql: string; checksum: string }[] {
  if (!existsSync(migrationsDir)) return [];
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export async function migrate(db: Database, migrationsDir: string): Promise<MigrationResult> {
  return db.withSession(async (session) => {
    await session.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    try {
      await session.exec(MIGRATIONS_TABLE);
      return await applyPending(session, migrationsDir);
    } finally {
      await session.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]);
    }
  });
}

async function applyPending(db: SqlSession, migrationsDir: string): Promise<MigrationResult> {
  {
    const applied = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const done = new Map(applied.filter((m) => m.finished_at !== null && m.rolled_back_at === null).map((m) => [m.migration_name, m.checksum]));
    const failed = applied.find((m) => m.finished_at === null && m.rolled_back_at === null);
    if (failed) throw new Error(`Migration ${failed.migration_name} failed earlier and was not resolved; fix the database, then mark it rolled back`);
    const result: MigrationResult = { applied: [], alreadyApplied: 0 };
    for (const migration of listMigrations(migrationsDir)) {
      const checksum = done.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) throw new Error(`Migration ${migration.name} was changed after it was applied (checksum mismatch)`);
        result.alreadyApplied++;
        continue;
      }
      const id = randomUUID();
      await db.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [
        id,
        migration.checksum,
        migration.name,
      ]);
      try {
        await db.exec(`BEGIN;\n${migration.sql}\nCOMMIT;`);
      } catch (error) {
        await db.exec("ROLLBACK").catch(() => undefined);
        await db.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(error)]);
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`);
      }
      await db.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
      result.applied.push(migration.name);
    }
    return result;
  }
}

/** `apply` (development, tests: migrate at start) or `verify` (production: `crossdock migrate` did it). */
export type MigrationMode = "apply" | "verify";

/** What a service runs at start: its migrations applied, or checked when the mode is `verify`. */
export async function applyOrVerifyMigrations(
  db: Database,
  migrationsDir: string,
  options: VerifyMigrationsOptions & { mode?: MigrationMode | undefined },
): Promise<MigrationResult> {
  return options.mode === "verify" ? verifyMigrations(db, migrationsDir, options) : migrate(db, migrationsDir);
}
