// What a GraphQL operation's errors say about who failed: "ok" without errors, "error" when the
// hub itself failed (a bug masked as INTERNAL_SERVER_ERROR, a service or database away, load
// shed, a subgraph unreachable or past its deadline), "client_error" when every error is the
// caller's own (validation, refusals, unknown persisted ids, bad input, business rules). The
// gateway's availability SLO counts only "error": a caller's mistake spends no error budget.
import { ErrorCode } from "@crossdock/schema";

export type RequestOutcome = "ok" | "client_error" | "error";

/** Codes that mean the hub failed the caller, not the other way round. */
export const HUB_FAILURE_CODES: ReadonlySet<string> = new Set<string>([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.OVERLOADED]);

/** The outcome of an operation from the errors its response carries (formatted: codes as the client sees them). */
export function requestOutcome(errors: readonly { extensions?: { code?: unknown } }[] | undefined): RequestOutcome {
  if (!errors || errors.length === 0) return "ok";
  // An error without a code was not raised on purpose: the hub's failure.
  const hubFailed = errors.some((error) => {
    const code = error.extensions?.code;
    return typeof code !== "string" || HUB_FAILURE_CODES.has(code);
  });
  return hubFailed ? "error" : "client_error";
}
