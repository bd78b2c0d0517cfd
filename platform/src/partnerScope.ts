// Partner confinement of reads, the same everywhere: a partner principal sees only its own
// customer's rows. Lists filter in the query itself (so page sizes, cursors and next-page flags
// count only what the partner may see), single reads answer null, as for a key that does not
// exist, so another customer's data does not even show that it exists.
import { mayAccessCustomer, partnerCustomer } from "./authorization.js";
import type { Principal } from "./principal.js";

/**
 * The customer filter a list read must apply: the one asked for (or none) for everyone but
 * partners; for a partner, its own customer, or `null` for "nothing" when it asked for another
 * customer (or has none).
 */
export function customerFilterFor(principal: Principal, requested: string | null | undefined): { customerNumber: string | undefined } | null {
  const confinedTo = partnerCustomer(principal);
  if (confinedTo === undefined) return { customerNumber: requested ?? undefined };
  if (confinedTo === "" || (requested != null && requested !== confinedTo)) return null;
  return { customerNumber: confinedTo };
}

/** `value` when the principal may see `customerNumber`'s data, else null (read as not found). */
export function visibleTo<T>(principal: Principal, customerNumber: string | null | undefined, value: T): T | null {
  return mayAccessCustomer(principal, customerNumber) ? value : null;
}

/** Loads a row and answers null when it belongs to a customer the principal may not see. */
export async function loadVisible<T>(
  principal: Principal,
  load: Promise<T | null | undefined>,
  customerOf: (row: T) => string | null | undefined,
): Promise<T | null> {
  const row = await load;
  if (row === null || row === undefined) return null;
  return mayAccessCustomer(principal, customerOf(row)) ? row : null;
}

/** An empty connection page: what a list answers when the filter allows nothing. */
export const EMPTY_PAGE = Object.freeze({ edges: Object.freeze([]), pageInfo: Object.freeze({ hasNextPage: false, endCursor: null }) });
