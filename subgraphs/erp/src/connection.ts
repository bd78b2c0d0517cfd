// Relay-style connection pages for the ERP's lists: fetch one row more than asked to learn
// whether another page exists. It never decides ordering; callers hand rows already sorted.
export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `rows` holds up to `size + 1` rows in page order; the extra one only signals a next page. */
export function toConnection<T>(rows: readonly T[], size: number, cursorOf: (row: T) => string): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
