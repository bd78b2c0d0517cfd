// Guards the hand-written migration against drift from prisma/schema.prisma: after migrating a
// fresh PGlite, every model's table, column, type, nullability, enum, key, index and foreign key
// must be exactly what Prisma expects (prisma migrate cannot run here to check it for us).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Database } from "@crossdock/platform";
import { CasePriority, CaseStatus, Prisma } from "../src/__generated__/prisma/client.js";

const MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const SCHEMA_TEXT = readFileSync(fileURLToPath(new URL("../prisma/schema.prisma", import.meta.url)), "utf8");

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

// A deliberately small reader of schema.prisma: enough for model fields and @@ attributes.
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

const ENUMS: Record<string, Record<string, string>> = { CaseStatus, CasePriority };
const SQL_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp with time zone",
  Json: "jsonb",
  Decimal: "numeric",
};

const models = parseModels(SCHEMA_TEXT);
const isColumn = (field: ParsedField) => !field.list && (field.type in SQL_TYPES || field.type in ENUMS);
const columnList = (attribute: string) =>
  /\[([^\]]*)\]/
    .exec(attribute)![1]!
    .split(",")
    .map((s) => s.trim());

let db: Database;
beforeAll(async () => {
  db = await openDatabase("pglite:memory");
  await migrate(db, MIGRATIONS_DIR);
});
afterAll(async () => db.close());

describe("migration 0001_init matches prisma/schema.prisma", () => {
  it("parses every model the generated client knows", () => {
    expect(models.map((m) => m.name).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  });

  it("has exactly the generated client's columns for every model, with Prisma's types and nullability", async () => {
    for (const model of models) {
      const scalarFields = (Prisma as unknown as Record<string, Record<string, string>>)[`${model.name}ScalarFieldEnum`]!;
      const columns = await db.query<{ column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
        `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [model.name],
      );
      expect(columns.map((c) => c.column_name).sort(), model.name).toEqual(Object.values(scalarFields).sort());
      for (const field of model.fields.filter(isColumn)) {
        const column = columns.find((c) => c.column_name === field.name)!;
        const expectedType = field.type in ENUMS ? "USER-DEFINED" : SQL_TYPES[field.type];
        expect(column.data_type, `${model.name}.${field.name}`).toBe(expectedType);
        if (field.type in ENUMS) expect(column.udt_name, `${model.name}.${field.name}`).toBe(field.type);
        expect(column.is_nullable, `${model.name}.${field.name} nullability`).toBe(field.optional ? "YES" : "NO");
      }
    }
  });

  it("creates the Postgres enums with Prisma's values in order", async () => {
    for (const [name, values] of Object.entries(ENUMS)) {
      const labels = await db.query<{ enumlabel: string }>(
        `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
        [name],
      );
      expect(labels.map((l) => l.enumlabel)).toEqual(Object.values(values));
    }
  });

  it("names keys, unique indexes, indexes and foreign keys the way Prisma does", async () => {
    for (const model of models) {
      const expectedIndexes = new Set<string>([`${model.name}_pkey`]);
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

  it("creates the case number sequence and is a no-op when applied again", async () => {
    const [sequence] = await db.query<{ next: string }>(`SELECT nextval('"CaseNumber_seq"')::text AS next`);
    expect(sequence?.next).toBe("1");
    expect(await migrate(db, MIGRATIONS_DIR)).toEqual({ applied: [], alreadyApplied: 1 });
  });
});
