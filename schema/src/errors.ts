// The one registry of Crossdock error codes surfaced to clients as `extensions.code`.
// Every service throws through `crossdockError`; nothing else invents codes, and no
// error built here ever carries a stack, SQL text or a driver message.
import { GraphQLError } from "graphql";

export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  INVALID_DECIMAL: "INVALID_DECIMAL",
  INVALID_QUANTITY: "INVALID_QUANTITY",
  INVALID_DATETIME: "INVALID_DATETIME",
  INVALID_CURSOR: "INVALID_CURSOR",
  CURSOR_EXPIRED: "CURSOR_EXPIRED",
  SLOW_CONSUMER: "SLOW_CONSUMER",
  NOT_FOUND: "NOT_FOUND",
  UNKNOWN_CUSTOMER: "UNKNOWN_CUSTOMER",
  UNKNOWN_SKU: "UNKNOWN_SKU",
  UNKNOWN_WAREHOUSE: "UNKNOWN_WAREHOUSE",
  UNKNOWN_ORDER: "UNKNOWN_ORDER",
  UNKNOWN_FULFILLMENT: "UNKNOWN_FULFILLMENT",
  UNKNOWN_SHIPMENT: "UNKNOWN_SHIPMENT",
  UNKNOWN_CASE: "UNKNOWN_CASE",
  /** No such invoice, or (for a partner) not its customer's: the two are not told apart. */
  UNKNOWN_INVOICE: "UNKNOWN_INVOICE",
  INVALID_STATE: "INVALID_STATE",
  INSUFFICIENT_STOCK: "INSUFFICIENT_STOCK",
  IDEMPOTENCY_KEY_REUSED: "IDEMPOTENCY_KEY_REUSED",
  QUERY_TOO_DEEP: "QUERY_TOO_DEEP",
  TOO_MANY_ALIASES: "TOO_MANY_ALIASES",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  BATCHING_DISABLED: "BATCHING_DISABLED",
  /** A free-form operation that is not among the gateway's trusted documents (CROSSDOCK_SAFELIST=enforce). */
  PERSISTED_QUERY_NOT_IN_LIST: "PERSISTED_QUERY_NOT_IN_LIST",
  /** An operation sent by id that the gateway's persisted operation manifest does not hold. */
  PERSISTED_QUERY_NOT_FOUND: "PERSISTED_QUERY_NOT_FOUND",
  RATE_LIMITED: "RATE_LIMITED",
  /** The operation's estimated cost (demand control: @cost, @listSize) exceeds CROSSDOCK_MAX_COST; the estimate is in extensions.cost. */
  COST_ESTIMATED_TOO_EXPENSIVE: "COST_ESTIMATED_TOO_EXPENSIVE",
  /** The gateway sheds load (a subgraph has as many calls in flight as it may): HTTP 503 with Retry-After. */
  OVERLOADED: "OVERLOADED",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CrossdockErrorOptions {
  /** The input field the error is about, as a path such as `lines.2.quantity`. */
  field?: string;
  /** Extra machine-readable detail; must never contain internals. */
  detail?: Record<string, unknown>;
}

export function crossdockError(code: ErrorCode, message: string, options: CrossdockErrorOptions = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code,
      ...(options.field !== undefined ? { field: options.field } : {}),
      ...(options.detail ?? {}),
    },
  });
}

export function isCrossdockError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && typeof error.extensions.code === "string";
}
