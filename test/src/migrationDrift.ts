// Guards a service's hand-written migrations against drift from its prisma/schema.prisma (prisma
// migrate cannot run here to check it for us): after migrating a fresh PGlite, every model's
// table, column, type, nullability, decimal precision, enum, key, index and foreign key must be
// what Prisma expects. Used by each service's migration test, as @crossdock/test/migrationDrift
// (not from the package index: it declares vitest suites).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Database } from "@crossdock/platform";

interface ParsedField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: string;
}
interface ParsedModel {
  name: string;
  fields: ParsedField[];
  blockAttributes: string[];
}

/** A deliberately small reader of schema.prisma: enough for model fields and @@ attributes. */
function parseModels(text: string): ParsedModel[] {
  const models: ParsedModel[] = [];
  for (const match of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const model: ParsedModel = { name: match[1]!, fields: [], blockAttributes: [] };
    for (const raw of match[2]!.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (line === "") continue;
      if (line.startsWith("@@")) {
        model.blockAttributes.push(line);
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (field) model.fields.push({ name: field[1]!, type: field[2]!, list: field[3] === "[]", optional: field[4] === "?", attributes: field[5] ?? "" });
    }
    models.push(model);
  }
  return models;
}

const SQL_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp with time zone",
  Json: "jsonb",
  Decimal: "numeric",
  Float: "double precision",
};

const columnList = (attribute: string) =>
  /\[([^\]]*)\]/
    .exec(attribute)![1]!
    .split(",")
    .map((s) => s.trim());

export interface MigrationDriftOptions {
  /** The service's prisma/migrations directory. */
  migrationsDir: string;
  /** Path (or URL) of its prisma/schema.prisma. */
  schemaFile: string | URL;
  /** The generated client's `Prisma` namespace (ModelName and <Model>ScalarFieldEnum). */
  prisma: { ModelName: Record<string, string> };
  /** The generated client's enums, by name. */
  enums: Record<string, Record<string, string>>;
  /** Per model, indexes the migrations add that schema.prisma cannot declare (expression or partial). */
  handWrittenIndexes?: Record<string, readonly string[]>;
}

/** Declares the drift suite; returns the migrated database for the service's own extra checks. */
export function describeMigrationDrift(options: MigrationDriftOptions): { db: () => Database } {
  const models = parseModels(readFileSync(options.schemaFile, "utf8"));
  const scalarFieldsOf = (model: string) => (options.prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`]!;
  const isColumn = (field: ParsedField) => !field.list && (field.type in SQL_TYPES || field.type in options.enums);
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase("pglite:memory");
    await migrate(db, options.migrationsDir);
  });
  afterAll(async () => db?.close());

  describe("migrations match prisma/schema.prisma", () => {
    it("parses every model the generated client knows", () => {
      expect(models.map((m) => m.name).sort()).toEqual(Object.values(options.prisma.ModelName).sort());
    });

    it("has exactly the generated client's columns for every model, with Prisma's types, nullability and decimal precision", async () => {
      for (const model of models) {
        const columns = await db.query<{
          column_name: string;
          data_type: string;
          udt_name: string;
          is_nullable: string;
          numeric_precision: number | null;
          numeric_scale: number | null;
        }>(
          `SELECT column_name, data_type, udt_name, is_nullable, numeric_precision, numeric_scale FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = $1`,
          [model.name],
        );
        expect(columns.map((c) => c.column_name).sort(), model.name).toEqual(Object.values(scalarFieldsOf(model.name)).sort());
        for (const field of model.fields.filter(isColumn)) {
          const column = columns.find((c) => c.column_name === field.name)!;
          const where = `${model.name}.${field.name}`;
          expect(column.data_type, where).toBe(field.type in options.enums ? "USER-DEFINED" : SQL_TYPES[field.type]);
          if (field.type in options.enums) expect(column.udt_name, where).toBe(field.type);
          expect(column.is_nullable, `${where} nullability`).toBe(field.optional ? "YES" : "NO");
          const decimal = /@db\.Decimal\((\d+),\s*(\d+)\)/.exec(field.attributes);
          if (decimal) expect([column.numeric_precision, column.numeric_scale], `${where} precision`).toEqual([Number(decimal[1]), Number(decimal[2])]);
        }
      }
    });

    it("creates the Postgres enums with Prisma's values in order", async () => {
      for (const [name, values] of Object.entries(options.enums)) {
        const labels = await db.query<{ enumlabel: string }>(
          `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
          [name],
        );
        expect(
          labels.map((l) => l.enumlabel),
          name,
        ).toEqual(Object.values(values));
      }
    });

    it("names keys, unique indexes, indexes and foreign keys the way Prisma does", async () => {
      for (const model of models) {
        const expectedIndexes = new Set<string>([`${model.name}_pkey`, ...(options.handWrittenIndexes?.[model.name] ?? [])]);
        const expectedForeignKeys = new Set<string>();
        for (const field of model.fields) {
          if (/@unique\b/.test(field.attributes)) expectedIndexes.add(`${model.name}_${field.name}_key`);
          const relation = /@relation\(fields:\s*\[([^\]]*)\]/.exec(field.attributes);
          if (relation)
            expectedForeignKeys.add(
              `${model.name}_${relation[1]!
                .split(",")
                .map((s) => s.trim())
                .join("_")}_fkey`,
            );
        }
        for (const attribute of model.blockAttributes) {
          const mapped = /map:\s*"([^"]+)"/.exec(attribute)?.[1];
          if (attribute.startsWith("@@index")) expectedIndexes.add(mapped ?? `${model.name}_${columnList(attribute).join("_")}_idx`);
          if (attribute.startsWith("@@unique")) expectedIndexes.add(mapped ?? `${model.name}_${columnList(attribute).join("_")}_key`);
        }
        const indexes = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1`, [model.name]);
        expect(new Set(indexes.map((i) => i.indexname)), model.name).toEqual(expectedIndexes);
        const foreignKeys = await db.query<{ conname: string }>(
          `SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = format('%I', $1::text)::regclass`,
          [model.name],
        );
        expect(new Set(foreignKeys.map((f) => f.conname)), model.name).toEqual(expectedForeignKeys);
      }
    });
  });
  return { db: () => db };
}
