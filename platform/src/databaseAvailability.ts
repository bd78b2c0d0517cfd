// Tells "the database is away" (restarting, failing over, refusing connections, a connection cut
// mid-statement) from a statement that failed on its own merits. A request that failed for the
// first reason gets SERVICE_UNAVAILABLE: retryable, and its transaction wrote nothing (or, if
// the cut came during COMMIT, a retry with the same idempotency key returns what was stored).
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { GraphQLError } from "graphql";

/**
 * SQLSTATEs of a server that is going away or not there: connection exceptions (class 08),
 * admin/crash shutdown and "cannot connect now" (57P01-57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** Prisma's codes for the same: can't reach, timed out, connection closed, pool timeout, too many connections. */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** The kinds Prisma's driver adapters give the same failures. */
const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** node-postgres and pg-pool say it in words only. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /Client has encountered a connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
  /Client was closed and is not queryable/,
  /Cannot use a pool after calling end/,
];

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function codeSaysUnavailable(code: unknown): boolean {
  if (typeof code !== "string") return false;
  return UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_PRISMA_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}

/** Whether `error` (or anything it wraps) says the database could not be reached or went away. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as ErrorLike;
  if (codeSaysUnavailable(e.code) || codeSaysUnavailable(e.originalCode)) return true;
  if (typeof e.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(e.kind)) return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1) || isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1);
}

/** What a client sees while the database is away. */
export function databaseUnavailableError(): GraphQLError {
  return crossdockError(
    ErrorCode.SERVICE_UNAVAILABLE,
    "The service's database is unavailable (restarting?); retry shortly. A mutation retried with the same idempotency key takes effect once",
    { detail: { retryable: true } },
  );
}
