// The ERP migration against prisma/schema.prisma (see @crossdock/test/migrationDrift), plus what the
// schema cannot say: how the migration is recorded, the order-number sequence, and that migrating
// again applies nothing.
import { describe, expect, it } from "vitest";
import { listMigrations, migrate } from "@crossdock/platform";
import { describeMigrationDrift } from "@crossdock/test/migrationDrift";
import { CustomerStatus, InvoiceStatus, OrderStatus, Prisma } from "../src/__generated__/prisma/client.js";
import { ERP_MIGRATIONS_DIR } from "../src/server.js";

const drift = describeMigrationDrift({
  migrationsDir: ERP_MIGRATIONS_DIR,
  schemaFile: new URL("../prisma/schema.prisma", import.meta.url),
  prisma: Prisma,
  enums: { CustomerStatus, OrderStatus, InvoiceStatus },
});

describe("ERP migration", () => {
  it("records the migration the way Prisma does and applies nothing the second time", async () => {
    const db = drift.db();
    const [applied] = await db.query<{ migration_name: string; finished_at: Date | null }>(
      `SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(applied?.migration_name).toBe("0001_init");
    expect(applied?.finished_at).not.toBeNull();
    expect(await migrate(db, ERP_MIGRATIONS_DIR)).toEqual({ applied: [], alreadyApplied: listMigrations(ERP_MIGRATIONS_DIR).length });
  });

  it("creates the order-number sequence that submitted orders draw from", async () => {
    const [row] = await drift.db().query<{ next: string }>(`SELECT nextval('"SalesOrderNumber_seq"')::text AS next`);
    expect(row?.next).toBe("100001");
  });
});
