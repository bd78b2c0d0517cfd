// Authentication at the gateway's doors: the principal resolver every transport uses (bearer
// JWTs from the configured issuer, the flows' service token, or anonymous), and for HTTP the
// principal of each request, resolved once for the rate limit and the context alike.
import type http from "node:http";
import { GraphQLError } from "graphql";
import type { Logger, Principal } from "@crossdock/platform";
import type { GatewayConfig } from "../config.js";
import { createPrincipalResolver, credentialsFromHeaders, type PrincipalResolver } from "../context.js";
import { createPrincipalMemo } from "../rateLimit/index.js";
import { createTokenVerifier } from "./tokenVerifier.js";

export interface Authentication {
  resolvePrincipal: PrincipalResolver;
  /** An HTTP request's principal; rejects with 401 UNAUTHENTICATED for refused credentials. */
  principalOf(headers: http.IncomingHttpHeaders): Promise<Principal>;
}

export function createAuthentication(options: { config: GatewayConfig; logger: Logger; resolvePrincipal?: PrincipalResolver | undefined }): Authentication {
  const { config, logger } = options;
  const { identity } = config;
  const verifyToken =
    identity.jwks && identity.issuer && identity.audience
      ? createTokenVerifier({
          jwks: identity.jwks,
          issuer: identity.issuer,
          audience: identity.audience,
          clockToleranceSeconds: identity.clockToleranceSeconds,
        })
      : undefined;
  if (!verifyToken) logger.warn("no token issuer configured (CROSSDOCK_JWKS): callers are anonymous unless they are the flows");
  const resolvePrincipal = options.resolvePrincipal ?? createPrincipalResolver({ serviceToken: config.serviceToken, verifyToken, logger });
  const principalOf = createPrincipalMemo(async (headers: http.IncomingHttpHeaders): Promise<Principal> => {
    try {
      return await resolvePrincipal(credentialsFromHeaders(headers));
    } catch {
      // The reason is in the log (the resolver's); the caller learns only that it was refused.
      throw new GraphQLError("Unauthorized", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
    }
  });
  return { resolvePrincipal, principalOf };
}
