// Principals for tests that call one subgraph directly (as the gateway would): the signed
// principal header for any kind, subject, scopes and partner customer, signed with the
// development secret the services use when CROSSDOCK_PRINCIPAL_SECRET is not set.
import { ALL_SCOPES, DEV_PRINCIPAL_SECRET, PRINCIPAL_HEADER, signPrincipal, type Principal } from "@crossdock/platform";

/** A user holding every scope: what the suites that test behaviour, not access, call as. */
export const ALL_ACCESS: Principal = Object.freeze({ kind: "user", subject: "test-all-access", scopes: [...ALL_SCOPES] }) as Principal;

/** The header a subgraph reads its caller from, for `principal` (default: ALL_ACCESS). */
export function principalHeaders(principal: Principal = ALL_ACCESS, secret = DEV_PRINCIPAL_SECRET): Record<string, string> {
  return { [PRINCIPAL_HEADER]: signPrincipal(principal, secret) };
}
