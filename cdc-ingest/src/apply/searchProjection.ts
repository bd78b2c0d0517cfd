// The search projection: keeps "SearchEntry" (the service desk's search index, ops/search.ts)
// current from the mirrored rows a batch changed. Set-based SQL over the mirror, so an update
// that carried only some columns still indexes the whole row as the mirror now holds it.
import type { SqlSession } from "@crossdock/platform";
import type { MirrorWrite } from "./mirrorChanges.js";

/** One searchable value: which mirrored column of which table, and what it is in the graph. */
interface SearchField {
  table: string;
  kind: "Customer" | "Contact" | "Order" | "Shipment";
  keyColumn: string;
  field: string;
  column: string;
  /** The row's own customer number column, when it has one. */
  customerColumn: string | null;
  /** The column the customer number comes through otherwise (an order number, an account id). */
  parentColumn: string | null;
}

const field = (table: string, kind: SearchField["kind"], keyColumn: string, name: string, more: Partial<SearchField> = {}): SearchField => ({
  table,
  kind,
  keyColumn,
  field: name,
  column: name,
  customerColumn: null,
  parentColumn: null,
  ...more,
});

/** What the index holds. Migration 0009 backfills the same from an existing mirror. */
export const SEARCH_FIELDS: readonly SearchField[] = [
  field("Customer", "Customer", "customerNumber", "name", { customerColumn: "customerNumber" }),
  field("Customer", "Customer", "customerNumber", "customerNumber", { customerColumn: "customerNumber" }),
  field("SalesOrder", "Order", "orderNumber", "orderNumber", { customerColumn: "customerNumber" }),
  field("SalesOrder", "Order", "orderNumber", "externalReference", { customerColumn: "customerNumber" }),
  field("Shipment", "Shipment", "shipmentId", "trackingNumber", { parentColumn: "orderNumber" }),
  field("Contact", "Contact", "contactId", "name", { parentColumn: "accountId" }),
  field("Contact", "Contact", "contactId", "email", { parentColumn: "accountId" }),
  field("Contact", "Contact", "contactId", "phone", { parentColumn: "accountId" }),
];

/** Rows whose customer number entries take theirs from: an order's shipments, an account's contacts. */
const PARENT_TABLES: Readonly<Record<string, { kind: string; keyColumn: string }>> = {
  SalesOrder: { kind: "Shipment", keyColumn: "orderNumber" },
  Account: { kind: "Contact", keyColumn: "accountId" },
};

const SEARCHED_TABLES = new Set([...SEARCH_FIELDS.map((f) => f.table), ...Object.keys(PARENT_TABLES)]);

/** How a value is folded for comparison; ops/search.ts folds the search text the same way. */
const FOLD_SQL = (value: string, fieldName: string) =>
  `CASE WHEN ${fieldName} = 'phone' THEN regexp_replace(${value}, '[^0-9]', '', 'g') ELSE lower(btrim(${value})) END`;

const literal = (value: string | null) => (value === null ? "NULL::text" : `'${value.replace(/'/g, "''")}'`);
const FIELDS_VALUES = SEARCH_FIELDS.map((f) =>
  [f.table, f.kind, f.keyColumn, f.field, f.column, f.customerColumn, f.parentColumn].map((v) => literal(v)).join(", "),
).join("), (");
const PARENTS_VALUES = Object.entries(PARENT_TABLES)
  .map(([table, p]) => [table, p.kind, p.keyColumn].map((v) => literal(v)).join(", "))
  .join("), (");

/** The mirror rows ($1: source, $2: [{ t, id }]) the statements below read. */
const TOUCHED = `touched AS (
  SELECT s."tableName" AS tbl, s."data" AS d, s."deleted" AS del
  FROM jsonb_to_recordset($2::jsonb) AS k(t text, id text)
  JOIN "SourceRow" s ON s."source" = $1 AND s."tableName" = k.t AND s."sourceId" = k.id)`;

// Entries of the touched entities: every value the row holds now (none once it is deleted),
// the customer resolved through the parent's mirrored row; values no longer held are removed.
// Upsert and removal touch different rows, so one statement does both.
const ENTRIES_SQL = `WITH ${TOUCHED},
fields AS (SELECT * FROM (VALUES (${FIELDS_VALUES})) AS f(tbl, kind, key_col, field, value_col, customer_col, parent_col)),
entities AS (SELECT DISTINCT f.kind, t.d->>f.key_col AS key FROM touched t JOIN fields f ON f.tbl = t.tbl WHERE t.d->>f.key_col IS NOT NULL),
wanted AS (
  SELECT DISTINCT ON (f.kind, t.d->>f.key_col, f.field) f.kind, t.d->>f.key_col AS key, f.field,
    ${FOLD_SQL("t.d->>f.value_col", "f.field")} AS folded, t.d->>f.customer_col AS customer, t.d->>f.parent_col AS parent
  FROM touched t JOIN fields f ON f.tbl = t.tbl
  WHERE NOT t.del AND t.d->>f.key_col IS NOT NULL
  ORDER BY f.kind, t.d->>f.key_col, f.field),
resolved AS (
  SELECT w.kind, w.key, w.field, w.folded, w.parent,
    COALESCE(w.customer, o."data"->>'customerNumber', a."data"->>'customerNumber') AS customer
  FROM wanted w
  LEFT JOIN "SourceRow" o ON w.kind = 'Shipment' AND o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND o."data"->>'orderNumber' = w.parent AND NOT o."deleted"
  LEFT JOIN "SourceRow" a ON w.kind = 'Contact' AND a."source" = 'crm' AND a."tableName" = 'Account' AND a."data"->>'accountId' = w.parent AND NOT a."deleted"
  WHERE w.folded <> ''),
stale AS (
  DELETE FROM "SearchEntry" e USING entities x
  WHERE e."kind" = x.kind AND e."entityKey" = x.key
    AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.kind = e."kind" AND r.key = e."entityKey" AND r.field = e."field")
  RETURNING 1),
upserted AS (
  INSERT INTO "SearchEntry" ("kind", "entityKey", "field", "folded", "customerNumber", "parentKey")
  SELECT kind, key, field, folded, customer, parent FROM resolved
  ON CONFLICT ("kind", "entityKey", "field") DO UPDATE SET
    "folded" = excluded."folded", "customerNumber" = excluded."customerNumber", "parentKey" = excluded."parentKey"
  WHERE ("SearchEntry"."folded", "SearchEntry"."customerNumber", "SearchEntry"."parentKey")
    IS DISTINCT FROM (excluded."folded", excluded."customerNumber", excluded."parentKey")
  RETURNING 1)
SELECT (SELECT count(*) FROM stale) + (SELECT count(*) FROM upserted) AS n`;

// An order or account that arrives (or changes hands) after its shipments or contacts: their
// entries take its customer number. A separate statement: in the CRM's batches the contacts
// upserted above may be the very rows this updates.
const ADOPT_SQL = `WITH ${TOUCHED},
parents AS (SELECT * FROM (VALUES (${PARENTS_VALUES})) AS p(tbl, kind, key_col)),
adopting AS (
  SELECT DISTINCT ON (p.kind, t.d->>p.key_col) p.kind, t.d->>p.key_col AS parent, CASE WHEN t.del THEN NULL ELSE t.d->>'customerNumber' END AS customer
  FROM touched t JOIN parents p ON p.tbl = t.tbl
  WHERE t.d->>p.key_col IS NOT NULL
  ORDER BY p.kind, t.d->>p.key_col, t.del)
UPDATE "SearchEntry" e SET "customerNumber" = x.customer FROM adopting x
WHERE e."kind" = x.kind AND e."parentKey" = x.parent AND e."customerNumber" IS DISTINCT FROM x.customer`;

/** Brings the index up to date with the batch's changed mirror rows of `source` (nothing to do for most batches). */
export async function projectSearchEntries(session: SqlSession, source: string, changed: readonly MirrorWrite[]): Promise<void> {
  const touched = changed.filter((w) => SEARCHED_TABLES.has(w.table));
  if (touched.length === 0) return;
  const keys = JSON.stringify(touched.map((w) => ({ t: w.table, id: w.sourceId })));
  if (touched.some((w) => SEARCH_FIELDS.some((f) => f.table === w.table))) await session.query(ENTRIES_SQL, [source, keys]);
  if (touched.some((w) => w.table in PARENT_TABLES)) await session.query(ADOPT_SQL, [source, keys]);
}
