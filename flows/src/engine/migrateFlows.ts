// Applies the flows' own migrations (flows/migrations/<id>/migration.sql) to the hub database
// and records them in "_flows_migrations" — not "_prisma_migrations", which belongs to
// cdc-ingest there, so neither service ever sees the other's history as drift.
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { listMigrations, type Database } from "@crossdock/platform";

export const FLOWS_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));
const FLOWS_MIGRATION_LOCK = 7_730_101;

export async function migrateFlows(db: Database, dir = FLOWS_MIGRATIONS_DIR): Promise<string[]> {
  return db.withSession(async (session) => {
    await session.query("SELECT pg_advisory_lock($1)", [FLOWS_MIGRATION_LOCK]);
    try {
      await session.exec(`CREATE TABLE IF NOT EXISTS "_flows_migrations" (
        "id" VARCHAR(36) PRIMARY KEY, "checksum" VARCHAR(64) NOT NULL, "migration_name" VARCHAR(255) NOT NULL UNIQUE,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "finished_at" TIMESTAMPTZ)`);
      const done = new Map(
        (
          await session.query<{ migration_name: string; checksum: string }>(
            `SELECT migration_name, checksum FROM "_flows_migrations" WHERE finished_at IS NOT NULL`,
          )
        ).map((row) => [row.migration_name, row.checksum]),
      );
      const applied: string[] = [];
      for (const migration of listMigrations(dir)) {
        const checksum = done.get(migration.name);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) throw new Error(`Flows migration ${migration.name} was changed after it was applied`);
          continue;
        }
        // The migration and its record commit together: a crash leaves neither behind.
        await session.exec(
          `BEGIN;\n${migration.sql}\nINSERT INTO "_flows_migrations" (id, checksum, migration_name, finished_at) VALUES ('${randomUUID()}', '${migration.checksum}', '${migration.name.replace(/'/g, "''")}', now());\nCOMMIT;`,
        );
        applied.push(migration.name);
      }
      return applied;
    } catch (error) {
      await session.exec("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await session.query("SELECT pg_advisory_unlock($1)", [FLOWS_MIGRATION_LOCK]);
    }
  });
}
