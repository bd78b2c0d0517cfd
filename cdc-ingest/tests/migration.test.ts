// The hub read model's migrations against prisma/schema.prisma (see @crossdock/test/migrationDrift),
// plus that migrating again applies nothing.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { migrate } from "@crossdock/platform";
import { describeMigrationDrift } from "@crossdock/test/migrationDrift";
import { Prisma } from "../src/__generated__/prisma/client.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

const drift = describeMigrationDrift({
  migrationsDir: MIGRATIONS_DIR,
  schemaFile: new URL("../prisma/schema.prisma", import.meta.url),
  prisma: Prisma,
  enums: {},
  // The projections' lookups into the mirrored rows' JSON, each partial to one source table.
  handWrittenIndexes: {
    SourceRow: [
      "SourceRow_stock_key_idx",
      "SourceRow_line_order_idx",
      "SourceRow_invoice_order_idx",
      "SourceRow_milestone_shipment_idx",
      "SourceRow_shipment_id_idx",
      "SourceRow_receipt_line_idx",
      "SourceRow_reorder_point_key_idx",
      "SourceRow_order_number_erp_idx",
      "SourceRow_fulfillment_order_idx",
      "SourceRow_shipment_order_idx",
      "SourceRow_account_id_idx",
    ],
    // Trigram GIN (pg_trgm) for the search's substring and fuzzy matches.
    SearchEntry: ["SearchEntry_folded_trgm_idx", "SearchEntry_fuzzy_trgm_idx", "SearchEntry_phone_trgm_idx"],
  },
});

describe("hub read-model migrations", () => {
  it("applies nothing the second time", async () => {
    const migrations = readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).length;
    expect(await migrate(drift.db(), MIGRATIONS_DIR)).toEqual({ applied: [], alreadyApplied: migrations });
  });
});
