// The CRM migration against prisma/schema.prisma (see @crossdock/test/migrationDrift), plus what the
// schema cannot say: the case-number sequence, and that migrating again applies nothing.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listMigrations, migrate } from "@crossdock/platform";
import { describeMigrationDrift } from "@crossdock/test/migrationDrift";
import { CasePriority, CaseStatus, Prisma } from "../src/__generated__/prisma/client.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

const drift = describeMigrationDrift({
  migrationsDir: MIGRATIONS_DIR,
  schemaFile: new URL("../prisma/schema.prisma", import.meta.url),
  prisma: Prisma,
  enums: { CaseStatus, CasePriority },
});

describe("CRM migration", () => {
  it("creates the case number sequence and is a no-op when applied again", async () => {
    const db = drift.db();
    const [sequence] = await db.query<{ next: string }>(`SELECT nextval('"CaseNumber_seq"')::text AS next`);
    expect(sequence?.next).toBe("1");
    expect(await migrate(db, MIGRATIONS_DIR)).toEqual({ applied: [], alreadyApplied: listMigrations(MIGRATIONS_DIR).length });
  });
});
