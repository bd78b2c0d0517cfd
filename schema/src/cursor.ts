// Opaque connection cursors: base64url of a small JSON array. Clients must treat them as
// opaque; decoding a foreign or damaged cursor is a typed INVALID_CURSOR error.
import { crossdockError, ErrorCode } from "./errors.js";

export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === "string" || typeof p === "number")) {
      return parts as (string | number)[];
    }
  } catch {
    // fall through to the typed error below
  }
  throw crossdockError(ErrorCode.INVALID_CURSOR, "The `after` cursor is not one this API issued");
}

/** Clamp a page size request to [1, max]. */
export function pageSize(first: number | null | undefined, max = 500): number {
  if (first === null || first === undefined) return 50;
  if (!Number.isInteger(first) || first < 0 || first > max) {
    throw crossdockError(ErrorCode.BAD_USER_INPUT, `first must be between 0 and ${max}`, { field: "first" });
  }
  return first;
}
