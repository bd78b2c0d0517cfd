// What a principal may do: the OAuth2 scopes the graph knows, the demo roles (bundles of scopes),
// and the checks every service makes with them. The gateway checks scopes before planning; each
// subgraph checks them again and confines partner principals to their own customer's rows, so a
// caller that reaches a subgraph directly gets nothing more. Nothing here knows a business entity.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { Principal } from "./principal.js";

export const Scope = {
  ORDERS_READ: "orders:read",
  INVENTORY_READ: "inventory:read",
  CUSTOMERS_READ: "customers:read",
  FINANCE_READ: "finance:read",
  PII_READ: "pii:read",
  CASES_READ: "cases:read",
  AUDIT_READ: "audit:read",
  ORDERS_WRITE: "orders:write",
  FINANCE_WRITE: "finance:write",
  CASES_WRITE: "cases:write",
  WAREHOUSE_WRITE: "warehouse:write",
  PROCESS_WRITE: "process:write",
  OPS_ADMIN: "ops:admin",
  /** Free-form operations where the gateway otherwise holds callers to its trusted documents (Sandbox). */
  GRAPH_EXPLORE: "graph:explore",
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export const ALL_SCOPES: readonly Scope[] = Object.freeze(Object.values(Scope));

const S = Scope;
/** The demo roles: the bundles of scopes the development issuer hands out (README, "Identity"). */
export const ROLE_SCOPES = Object.freeze({
  /** Explores the graph in Sandbox: free-form operations even where trusted documents are enforced. */
  analyst: [S.ORDERS_READ, S.INVENTORY_READ, S.CUSTOMERS_READ, S.FINANCE_READ, S.CASES_READ, S.GRAPH_EXPLORE],
  serviceDesk: [S.ORDERS_READ, S.INVENTORY_READ, S.CUSTOMERS_READ, S.PII_READ, S.CASES_READ, S.CASES_WRITE, S.ORDERS_WRITE],
  warehouse: [S.ORDERS_READ, S.INVENTORY_READ, S.WAREHOUSE_WRITE],
  finance: [S.ORDERS_READ, S.CUSTOMERS_READ, S.FINANCE_READ, S.FINANCE_WRITE],
  opsAdmin: [S.ORDERS_READ, S.INVENTORY_READ, S.CUSTOMERS_READ, S.CASES_READ, S.OPS_ADMIN, S.AUDIT_READ],
  /** Confined to one customer by the token's `customer_number` claim. */
  partner: [S.ORDERS_READ, S.INVENTORY_READ, S.CUSTOMERS_READ, S.FINANCE_READ, S.PII_READ, S.CASES_READ, S.CASES_WRITE, S.ORDERS_WRITE],
  /** The process layer (flows): every write the order-to-cash steps make, and the reads they need. */
  flowsService: [
    S.ORDERS_READ,
    S.INVENTORY_READ,
    S.CUSTOMERS_READ,
    S.FINANCE_READ,
    S.CASES_READ,
    S.ORDERS_WRITE,
    S.FINANCE_WRITE,
    S.CASES_WRITE,
    S.WAREHOUSE_WRITE,
    S.PROCESS_WRITE,
  ],
  /** The demo simulator: customers' orders and amendments, the warehouse's picks, ships, scans and returns, the payments received. */
  simulatorService: [S.ORDERS_READ, S.INVENTORY_READ, S.CUSTOMERS_READ, S.FINANCE_READ, S.ORDERS_WRITE, S.WAREHOUSE_WRITE, S.FINANCE_WRITE],
} satisfies Record<string, readonly Scope[]>);
export type RoleName = keyof typeof ROLE_SCOPES;

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes(scope);
}

/**
 * Federation's `@requiresScopes(scopes: [[...]])` rule: any one of the inner lists, all of its
 * scopes. An empty outer list requires nothing.
 */
export function satisfiesScopes(principal: Principal, anyOf: readonly (readonly string[])[]): boolean {
  if (anyOf.length === 0) return true;
  return anyOf.some((allOf) => allOf.every((scope) => principal.scopes.includes(scope)));
}

export function isAuthenticated(principal: Principal): boolean {
  return principal.kind !== "anonymous";
}

/** Throws UNAUTHENTICATED for an anonymous caller, FORBIDDEN for one without the scopes. */
export function requireScopes(principal: Principal, anyOf: readonly (readonly string[])[], what = "this operation"): void {
  if (!isAuthenticated(principal)) throw crossdockError(ErrorCode.UNAUTHENTICATED, `Sign in to use ${what}`);
  if (!satisfiesScopes(principal, anyOf)) {
    const needed = anyOf.map((allOf) => allOf.join(" + ")).join(" or ");
    throw crossdockError(ErrorCode.FORBIDDEN, `${what} needs the scope ${needed}`);
  }
}

/** The customer a partner principal is confined to; undefined for everyone else. */
export function partnerCustomer(principal: Principal): string | undefined {
  return principal.kind === "partner" ? (principal.customerNumber ?? "") : undefined;
}

/**
 * Whether the principal may see this customer's rows. A partner without a customer sees nothing.
 * Callers turn `false` into "not found" (a read) so that another customer's data does not even
 * show that it exists.
 */
export function mayAccessCustomer(principal: Principal, customerNumber: string | null | undefined): boolean {
  const confinedTo = partnerCustomer(principal);
  return confinedTo === undefined || (confinedTo !== "" && confinedTo === customerNumber);
}

/**
 * An object a write addresses by its key (an order, a case) that belongs to another customer:
 * refused exactly as an unknown key would be (`notFound()`), so a partner cannot learn which
 * keys exist outside its own customer, just as another customer's objects read as null.
 */
export function requireOwnCustomerObject(principal: Principal, customerNumber: string | null | undefined, notFound: () => Error): void {
  if (!mayAccessCustomer(principal, customerNumber)) throw notFound();
}

/** A write for another customer's data: FORBIDDEN, before anything is written. */
export function requireCustomerAccess(principal: Principal, customerNumber: string | null | undefined): void {
  if (!mayAccessCustomer(principal, customerNumber)) {
    throw crossdockError(ErrorCode.FORBIDDEN, "This customer's data is outside what your credentials allow");
  }
}
