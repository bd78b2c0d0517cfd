// The WMS migrations against prisma/schema.prisma (see @crossdock/test/migrationDrift), plus what the
// schema cannot say: the document-number sequences, and that migrating again applies nothing.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listMigrations, migrate } from "@crossdock/platform";
import { describeMigrationDrift } from "@crossdock/test/migrationDrift";
import { FulfillmentStatus, Prisma, ReceiptKind, ShipmentStatus } from "../src/__generated__/prisma/client.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

const drift = describeMigrationDrift({
  migrationsDir: MIGRATIONS_DIR,
  schemaFile: new URL("../prisma/schema.prisma", import.meta.url),
  prisma: Prisma,
  enums: { FulfillmentStatus, ShipmentStatus, ReceiptKind },
});

describe("WMS migrations", () => {
  it("creates the document-number sequences and applies nothing the second time", async () => {
    const db = drift.db();
    const [row] = await db.query<{ ff: string; sh: string }>(
      `SELECT nextval('"FulfillmentNumberSeq"')::text AS ff, nextval('"ShipmentNumberSeq"')::text AS sh`,
    );
    expect(Number(row!.ff)).toBeGreaterThan(0);
    expect(Number(row!.sh)).toBeGreaterThan(0);
    const applied = await db.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(applied.map((m) => m.migration_name)).toEqual([
      "0001_init",
      "0002_fulfillment_lines_per_bin",
      "0003_shipment_lines",
      "0004_write_attribution",
      "0005_reorder_points",
      "0006_audit_traceparent",
      "0007_scoped_external_keys",
    ]);
    expect(await migrate(db, MIGRATIONS_DIR)).toEqual({ applied: [], alreadyApplied: listMigrations(MIGRATIONS_DIR).length });
  });
});
