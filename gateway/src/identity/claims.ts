// How a verified token's claims become a principal. One rule, documented in the README
// ("Identity"): `customer_number` makes a partner confined to that customer; a token whose
// `client_id` equals its `sub` (an OAuth2 client-credentials token: the client is the subject)
// is a service; every other token is a user. Scopes are the space-separated `scope` claim.
import type { JWTPayload } from "jose";
import type { Principal } from "@crossdock/platform";

/** The claims Crossdock reads besides the registered ones (iss, aud, sub, exp, nbf). */
export interface CrossdockClaims extends JWTPayload {
  scope?: string;
  /** Present in any form, it makes a partner; only a non-empty string names the customer. */
  customer_number?: unknown;
  client_id?: string;
}

export function principalFromClaims(claims: CrossdockClaims): Principal {
  const subject = claims.sub ?? "";
  const scopes = typeof claims.scope === "string" ? [...new Set(claims.scope.split(" ").filter(Boolean))] : [];
  // A partner claim wins over everything else: when in doubt, confine. A claim that is present but
  // empty or not a string confines to no customer at all (sees nothing), never to every customer.
  if (claims.customer_number !== undefined && claims.customer_number !== null) {
    const customerNumber = typeof claims.customer_number === "string" ? claims.customer_number : "";
    return { kind: "partner", subject, scopes, customerNumber };
  }
  if (typeof claims.client_id === "string" && claims.client_id === subject) return { kind: "service", subject, scopes };
  return { kind: "user", subject, scopes };
}
