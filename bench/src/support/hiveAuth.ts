// For the `+auth` Hive variants (`bench:gateway -- --peer hive --hive-auth`): what Crossdock's
// gateway does for every caller, done with Hive's own plugins. The bench's JWT is verified
// against the run's key (Hive's JWT plugin), @authenticated / @requiresScopes are enforced from
// the supergraph (generic auth), and the principal the token names is signed for the subgraphs.
import { readFileSync } from "node:fs";
import { createPublicKey, type JsonWebKey } from "node:crypto";
import { PRINCIPAL_HEADER, REQUEST_ID_HEADER, signPrincipal, type Principal } from "@crossdock/platform";

/** The part of Hive's exports used here (loaded untyped, see hiveGatewayServer.ts). */
export interface HiveJwtExports {
  useJWT(options: {
    signingKeyProviders: unknown[];
    tokenVerification: { issuer: string; audience: string; algorithms: string[] };
    reject: { missingToken: boolean; invalidToken: boolean };
  }): unknown;
  createInlineSigningKeyProvider(key: string): unknown;
}

interface Claims {
  sub?: string;
  scope?: string;
}

interface AuthContext {
  jwt?: { payload?: Claims };
}

export interface HiveAuthEnv {
  /** The run's JWKS file (CROSSDOCK_JWKS of the hub). */
  jwksPath: string;
  issuer: string;
  audience: string;
  principalSecret: string;
}

/** A user principal from the bench's claims, as the gateway's claims rule reads a token without partner or client claims. */
function principalOf(claims: Claims): Principal {
  const scopes = typeof claims.scope === "string" ? [...new Set(claims.scope.split(" ").filter(Boolean))] : [];
  return { kind: "user", subject: claims.sub ?? "", scopes };
}

/** The createGatewayRuntime options that switch authentication, authorization and principal signing on. */
export function hiveAuthConfig(hive: HiveJwtExports, env: HiveAuthEnv) {
  const jwks = JSON.parse(readFileSync(env.jwksPath, "utf8")) as { keys: (JsonWebKey & { alg?: string })[] };
  const key = jwks.keys[0]!;
  const pem = createPublicKey({ key, format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
  return {
    plugins: () => [
      hive.useJWT({
        signingKeyProviders: [hive.createInlineSigningKeyProvider(pem)],
        tokenVerification: { issuer: env.issuer, audience: env.audience, algorithms: [key.alg ?? "ES256"] },
        reject: { missingToken: true, invalidToken: true },
      }),
    ],
    genericAuth: {
      mode: "protect-granular" as const,
      resolveUserFn: (context: AuthContext) => context.jwt?.payload ?? null,
      extractScopes: (claims: Claims) => principalOf(claims).scopes,
    },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, context }: { request: Request; context: AuthContext }) => {
        const claims = context.jwt?.payload;
        return {
          [PRINCIPAL_HEADER]: claims ? signPrincipal(principalOf(claims), env.principalSecret) : null,
          [REQUEST_ID_HEADER]: request.headers.get(REQUEST_ID_HEADER),
        };
      },
    },
  };
}
