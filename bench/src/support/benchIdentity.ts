// The benchmarks' caller: one token issuer per bench run (the gateway's development issuer, its
// public key written to a JWKS file every hub of the run trusts through CROSSDOCK_JWKS, as a
// production gateway trusts its identity provider) and one all-scopes token every load
// generator sends. The token travels to forked client processes in BENCH_AUTHORIZATION.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDevIssuer } from "@crossdock/gateway";
import { ALL_SCOPES } from "@crossdock/platform";

let prepared: Promise<Record<string, string>> | undefined;
let issuing: ((scopes: readonly string[]) => Promise<string>) | undefined;

/**
 * Creates the run's issuer (once), sets BENCH_AUTHORIZATION, and returns the environment that
 * makes a hub trust it (CROSSDOCK_JWKS, CROSSDOCK_JWT_ISSUER, CROSSDOCK_JWT_AUDIENCE).
 */
export function benchIdentityEnv(): Promise<Record<string, string>> {
  prepared ??= (async () => {
    const issuer = await createDevIssuer({ issuer: "urn:crossdock:bench", audience: "crossdock-bench" });
    const file = join(mkdtempSync(join(tmpdir(), "crossdock-bench-jwks-")), "jwks.json");
    writeFileSync(file, JSON.stringify(issuer.jwks));
    issuing = (scopes) => issuer.issueToken({ subject: "bench", scopes: [...scopes], lifetimeSeconds: 12 * 3600 });
    const token = await issuing(ALL_SCOPES);
    process.env.BENCH_AUTHORIZATION = `Bearer ${token}`;
    return {
      CROSSDOCK_JWKS: file,
      CROSSDOCK_JWT_ISSUER: issuer.issuer,
      CROSSDOCK_JWT_AUDIENCE: issuer.audience,
      // Every load generator is the one "bench" subject: the rate limit stays on (its cost is
      // measured) at a rate no run reaches, instead of production's 600 a minute.
      // BENCH_RATE_LIMIT_PER_MINUTE=0 turns it off, to see authorization's cost alone.
      CROSSDOCK_RATE_LIMIT_PER_MINUTE: process.env.BENCH_RATE_LIMIT_PER_MINUTE ?? "1000000000",
    };
  })();
  return prepared;
}

/** The header every bench request carries (empty before benchIdentityEnv ran, e.g. direct subgraph calls). */
export function benchAuthorization(): Record<string, string> {
  const value = process.env.BENCH_AUTHORIZATION;
  return value ? { authorization: value } : {};
}

/** The Authorization header of a token from the run's issuer for the "bench" subject with only `scopes` (e.g. to check a refusal). */
export async function benchAuthorizationWith(scopes: readonly string[]): Promise<Record<string, string>> {
  await benchIdentityEnv();
  return { authorization: `Bearer ${await issuing!(scopes)}` };
}
