// Query.search: the service desk's ranked search over the search index (apply/searchProjection.ts).
// Ranks exact matches first, then values that start with the text, then substring and fuzzy
// (trigram) matches; pages by keyset on (score, kind, key, field). Confines partners in the query.
import { EMPTY_PAGE, hasScope, partnerCustomer, Scope, type Database, type Principal } from "@crossdock/platform";
import { crossdockError, decodeCursor, encodeCursor, ErrorCode, pageSize } from "@crossdock/schema";

export interface SearchArgs {
  text: string;
  first?: number | null;
  after?: string | null;
}

export type SearchHitReference =
  | { __typename: "Customer"; customerNumber: string }
  | { __typename: "Order"; orderNumber: string }
  | { __typename: "Shipment"; shipmentId: string }
  | { __typename: "Contact"; contactId: string };

export interface SearchResult {
  hit: SearchHitReference;
  matchedOn: string;
  score: number;
}

const MIN_TEXT = 3;
const MAX_TEXT = 200;
const DEFAULT_FIRST = 20;
const MAX_FIRST = 100;
/** A text that looks like a phone number (digits and + - ( ) . / spaces) is searched by its digits once it holds this many. */
const MIN_PHONE_DIGITS = 4;

interface Row {
  kind: SearchHitReference["__typename"];
  entityKey: string;
  field: string;
  parentKey: string | null;
  score: number;
}

// $1 the text; $2 the partner's customer (null: not confined); $3 whether contacts may be found
// (pii:read); $4-$7 the cursor's score, kind, key and field (null: first page); $8 the limit.
// The text is folded here as the projection folds values (lower/btrim, a phone's digits), and
// each branch is one index probe: the trigram GIN index answers LIKE '%…%' and `<%`. Fuzzy
// matching is for names, and only for texts without digits or "@": numbers and emails that
// share most trigrams (SO-112345, SO-112346) are different things, and word similarity over
// thousands of look-alike emails and numbers cost more than everything else together.
const NEEDLE = `lower(btrim($1::text))`;
const DIGITS = `regexp_replace($1::text, '[^0-9]', '', 'g')`;
const likeAnywhere = (needle: string) => `'%' || replace(replace(replace(${needle}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;
const COLUMNS = `e."kind", e."entityKey", e."field", e."folded", e."parentKey", e."customerNumber"`;

const SEARCH_SQL = `WITH found AS (
  SELECT ${COLUMNS} FROM "SearchEntry" e WHERE e."field" <> 'phone' AND e."folded" LIKE ${likeAnywhere(NEEDLE)}
  UNION
  SELECT ${COLUMNS} FROM "SearchEntry" e WHERE $1::text !~ '[0-9@]' AND e."field" = 'name' AND ${NEEDLE} <% e."folded"
  UNION
  SELECT ${COLUMNS} FROM "SearchEntry" e
  WHERE $1::text ~ '^[-0-9 +()./]+$' AND length(${DIGITS}) >= ${MIN_PHONE_DIGITS} AND e."field" = 'phone' AND e."folded" LIKE ${likeAnywhere(DIGITS)}
),
scored AS (
  SELECT f."kind", f."entityKey", f."field", f."parentKey",
    round((CASE WHEN f."folded" = n.needle THEN 3
                WHEN starts_with(f."folded", n.needle) THEN 1 + word_similarity(n.needle, f."folded")
                ELSE word_similarity(n.needle, f."folded") END)::numeric, 4)::float8 AS score
  FROM found f CROSS JOIN LATERAL (SELECT CASE WHEN f."field" = 'phone' THEN ${DIGITS} ELSE ${NEEDLE} END AS needle) n
  WHERE ($2::text IS NULL OR f."customerNumber" = $2::text) AND ($3::boolean OR f."kind" <> 'Contact')
)
SELECT "kind", "entityKey", "field", "parentKey", score FROM scored
WHERE $4::float8 IS NULL OR score < $4::float8 OR (score = $4::float8 AND ("kind", "entityKey", "field") > ($5::text, $6::text, $7::text))
ORDER BY score DESC, "kind", "entityKey", "field"
LIMIT $8`;

function validText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length < MIN_TEXT || trimmed.length > MAX_TEXT) {
    throw crossdockError(ErrorCode.BAD_USER_INPUT, `text must be ${MIN_TEXT} to ${MAX_TEXT} characters long`, { field: "text" });
  }
  return trimmed;
}

/** The reference the graph resolves: a partner's shipment hit is its order (the WMS serves shipments by key to staff only). */
function hitOf(row: Row, confined: boolean): SearchHitReference {
  switch (row.kind) {
    case "Customer":
      return { __typename: "Customer", customerNumber: row.entityKey };
    case "Order":
      return { __typename: "Order", orderNumber: row.entityKey };
    case "Contact":
      return { __typename: "Contact", contactId: row.entityKey };
    case "Shipment":
      return confined && row.parentKey !== null ? { __typename: "Order", orderNumber: row.parentKey } : { __typename: "Shipment", shipmentId: row.entityKey };
  }
}

export async function search(hub: Database, principal: Principal, args: SearchArgs) {
  const text = validText(args.text);
  const first = pageSize(args.first ?? DEFAULT_FIRST, MAX_FIRST);
  // The cursor names the text it pages, so it cannot continue another search's ranking.
  const after = args.after ? decodeCursor(args.after, 5) : null;
  if (after && (after[0] !== text || typeof after[1] !== "number")) {
    throw crossdockError(ErrorCode.INVALID_CURSOR, "The `after` cursor belongs to another search text");
  }
  const confinedTo = partnerCustomer(principal);
  if (confinedTo === "" || first === 0) return EMPTY_PAGE;
  const rows = await hub.query<Row>(SEARCH_SQL, [
    text,
    confinedTo ?? null,
    hasScope(principal, Scope.PII_READ),
    after?.[1] ?? null,
    after?.[2] ?? null,
    after?.[3] ?? null,
    after?.[4] ?? null,
    first + 1,
  ]);
  const edges = rows.slice(0, first).map((row) => ({
    cursor: encodeCursor([text, row.score, row.kind, row.entityKey, row.field]),
    node: { hit: hitOf(row, confinedTo !== undefined), matchedOn: row.field, score: row.score } satisfies SearchResult,
  }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
