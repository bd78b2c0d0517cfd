// Callers for the suites that go through the gateway: tokens from a started hub's development
// issuer (any subject and scopes, or the demo roles'), the all-scopes token the behaviour suites
// send by default, and the per-URL default headers the GraphQL client and the subscription
// clients add when a test passes none (so a suite written before authentication still calls as
// someone who may do everything, and a test that wants another caller says so).
import type { RunningHub } from "@crossdock/launcher";
import { ALL_SCOPES, ROLE_SCOPES, type RoleName } from "@crossdock/platform";
import { principalHeaders } from "./principals.js";

export const ALL_ACCESS_SUBJECT = "test-all-access";

type IssuingHub = Pick<RunningHub, "identity">;

function issuerOf(hub: IssuingHub) {
  if (!hub.identity) throw new Error("this hub trusts an external issuer (CROSSDOCK_JWKS): it mints no tokens");
  return hub.identity;
}

/** A user token holding every scope (ALL_SCOPES), valid for an hour. */
export function allScopesToken(hub: IssuingHub): Promise<string> {
  return issuerOf(hub).issueToken({ subject: ALL_ACCESS_SUBJECT, scopes: [...ALL_SCOPES], lifetimeSeconds: 3600 });
}

/** A token for a role of ROLE_SCOPES (a partner's needs `customerNumber`). */
export function roleToken(hub: IssuingHub, role: RoleName, customerNumber?: string): Promise<string> {
  const kind = role === "partner" ? "partner" : role.endsWith("Service") ? "service" : "user";
  return issuerOf(hub).issueToken({
    subject: `test-${role}`,
    scopes: [...ROLE_SCOPES[role]],
    kind,
    lifetimeSeconds: 3600,
    ...(customerNumber ? { customerNumber } : {}),
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The gateway settings that trust `hub`'s issuer (for extra gateways a test starts next to the hub). */
export function identityOf(hub: IssuingHub): { jwks: NonNullable<RunningHub["identity"]>["jwks"]; issuer: string; audience: string } {
  const { jwks, issuer, audience } = issuerOf(hub);
  return { jwks, issuer, audience };
}

const defaults = new Map<string, Record<string, string>>();
const keyOf = (url: string) => url.replace(/\/+$/, "");

/** Headers sent to `url` by the test clients when the test gives none of its own. */
export function useDefaultHeaders(url: string, headers: Record<string, string>): void {
  defaults.set(keyOf(url), headers);
}

export function forgetDefaultHeaders(url: string): void {
  defaults.delete(keyOf(url));
}

export function defaultHeadersFor(url: string): Record<string, string> {
  return defaults.get(keyOf(url)) ?? {};
}

/**
 * Makes every test client call `hub` with full access by default: the gateway with the
 * all-scopes token, each subgraph with a signed all-access principal. Returns the token.
 */
export async function authenticateHub(hub: RunningHub): Promise<string> {
  const token = await allScopesToken(hub);
  useDefaultHeaders(hub.url, bearer(token));
  for (const url of Object.values(hub.subgraphUrls)) useDefaultHeaders(url, principalHeaders());
  return token;
}

/** Undoes authenticateHub (a stopped hub's ports may be reused by the next one). */
export function forgetHub(hub: RunningHub): void {
  forgetDefaultHeaders(hub.url);
  for (const url of Object.values(hub.subgraphUrls)) forgetDefaultHeaders(url);
}
