// Guards the hand-written migration against drift from prisma/schema.prisma: after migrating
// a fresh PGlite, every model's table has exactly the model's columns, with the declared
// nullability and decimal precision; a second migrate applies nothing.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Database } from "@crossdock/platform";
import { Prisma } from "../src/__generated__/prisma/client.js";
import { ERP_MIGRATIONS_DIR } from "../src/server.js";

interface DeclaredColumn {
  name: string;
  nullable: boolean;
  decimal: { precision: number; scale: number } | null;
}

/** Scalar columns per model as schema.prisma declares them (relation fields excluded). */
function declaredModels(): Map<string, DeclaredColumn[]> {
  const text = readFileSync(new URL("../prisma/schema.prisma", import.meta.url), "utf8");
  const models = new Map<string, DeclaredColumn[]>();
  for (const match of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const scalarNames = new Set(Object.values((Prisma as unknown as Record<string, Record<string, string>>)[`${match[1]}ScalarFieldEnum`] ?? {}));
    const columns: DeclaredColumn[] = [];
    for (const line of match[2]!.split("\n")) {
      const field = /^\s+(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field || !scalarNames.has(field[1]!)) continue;
      const decimal = /@db\.Decimal\((\d+),\s*(\d+)\)/.exec(field[4]!);
      columns.push({ name: field[1]!, nullable: field[3] === "?", decimal: decimal ? { precision: Number(decimal[1]), scale: Number(decimal[2]) } : null });
    }
    models.set(match[1]!, columns);
  }
  return models;
}

let db: Database;

beforeAll(async () => {
  db = await openDatabase("pglite:memory");
  await migrate(db, ERP_MIGRATIONS_DIR);
});

afterAll(async () => {
  await db?.close();
});

describe("ERP migration", () => {
  it("declares every Prisma model in schema.prisma", () => {
    expect([...declaredModels().keys()].sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });

  it("creates every model's table with exactly its columns, nullability and decimal precision", async () => {
    const rows = await db.query<{
      table_name: string;
      column_name: string;
      is_nullable: string;
      data_type: string;
      numeric_precision: number | null;
      numeric_scale: number | null;
    }>(
      `SELECT table_name, column_name, is_nullable, data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    for (const [model, columns] of declaredModels()) {
      // The parser must have found every scalar field, or this check would pass vacuously.
      expect(columns.length, `parsed fields of ${model}`).toBe(Object.keys((Prisma as unknown as Record<string, object>)[`${model}ScalarFieldEnum`]!).length);
      const actual = rows.filter((row) => row.table_name === model);
      expect(actual.map((row) => row.column_name).sort(), `columns of ${model}`).toEqual(columns.map((column) => column.name).sort());
      for (const column of columns) {
        const row = actual.find((r) => r.column_name === column.name)!;
        expect(row.is_nullable, `${model}.${column.name} nullability`).toBe(column.nullable ? "YES" : "NO");
        if (column.decimal) {
          expect(row.data_type, `${model}.${column.name} type`).toBe("numeric");
          expect([row.numeric_precision, row.numeric_scale], `${model}.${column.name} precision`).toEqual([column.decimal.precision, column.decimal.scale]);
        }
      }
    }
  });

  it("creates the enums with the Prisma values", async () => {
    const rows = await db.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const enums = Object.fromEntries(rows.map((row) => [row.typname, row.labels]));
    expect(enums).toEqual({
      CustomerStatus: ["ACTIVE", "CREDIT_HOLD", "BLOCKED"],
      OrderStatus: ["CREDIT_HOLD", "RELEASED", "PARTIALLY_SHIPPED", "SHIPPED", "INVOICED", "CLOSED", "CANCELLED", "REJECTED"],
      InvoiceStatus: ["OPEN", "PAID", "VOID"],
    });
  });

  it("records the migration the way Prisma does and applies nothing the second time", async () => {
    const [applied] = await db.query<{ migration_name: string; finished_at: Date | null }>(`SELECT migration_name, finished_at FROM "_prisma_migrations"`);
    expect(applied?.migration_name).toBe("0001_init");
    expect(applied?.finished_at).not.toBeNull();
    const again = await migrate(db, ERP_MIGRATIONS_DIR);
    expect(again).toEqual({ applied: [], alreadyApplied: 1 });
  });

  it("creates the order-number sequence that submitted orders draw from", async () => {
    const [row] = await db.query<{ next: string }>(`SELECT nextval('"SalesOrderNumber_seq"')::text AS next`);
    expect(row?.next).toBe("100001");
  });
});
