// The per-request context of the gateway: who is calling and the request id, and the one place
// credentials become a principal. Every transport (HTTP, graphql-ws connection_init, SSE) reads
// credentials into the same header-like shape and resolves them through the same resolver
// before anything executes: a bearer JWT (identity/tokenVerifier), the flows' service token, or
// nothing at all (anonymous, no scopes). Anything else is refused.
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ANONYMOUS, ROLE_SCOPES, type Logger, type Principal } from "@crossdock/platform";
import type { TokenVerifier } from "./identity/tokenVerifier.js";
import type { ClientIdentity } from "./client-identification/clientIdentity.js";
import { TokenRejected } from "./identity/tokenVerifier.js";

export interface GatewayContext {
  requestId: string;
  principal: Principal;
  logger: Logger;
  /** The calling application (apollographql-client-name/-version), for labels only. */
  client?: ClientIdentity;
  /** The operation's trace (its span's W3C traceparent), for the subgraph calls; null or absent when untraced. */
  traceparent?: string | null;
  /** The transport already held this operation to the trusted documents (graphql-ws); the plugin skips it. */
  trustedDocumentChecked?: boolean;
}

/** What a caller presented, as lower-case header names (e.g. `authorization`). */
export type CallerCredentials = Readonly<Record<string, string | undefined>>;

/**
 * Resolves credentials to a principal. Throws (any error) to reject the caller: HTTP answers
 * 401, graphql-ws closes the socket at connection_init with 4401, SSE answers 401. The message
 * of the error is never shown to the caller.
 */
export type PrincipalResolver = (credentials: CallerCredentials) => Principal | Promise<Principal>;

/** The flows' principal when they present CROSSDOCK_SERVICE_TOKEN. */
export const FLOWS_PRINCIPAL: Principal = Object.freeze({
  kind: "service",
  subject: "flows",
  scopes: Object.freeze([...ROLE_SCOPES.flowsService]) as string[],
}) as Principal;

/** When the credential behind a principal expires (epoch ms); WebSockets are closed then. */
const expiries = new WeakMap<Principal, number>();
export function credentialExpiry(principal: Principal): number | undefined {
  return expiries.get(principal);
}

export interface PrincipalResolverOptions {
  /** The flows' static bearer token (CROSSDOCK_SERVICE_TOKEN). */
  serviceToken?: string | undefined;
  /** Verifies bearer JWTs; without one, only the service token and anonymous callers get in. */
  verifyToken?: TokenVerifier | undefined;
  /** Where refusals are logged with their reason. */
  logger?: Logger | undefined;
}

/** Thrown for refused credentials; says nothing about why (the log does). */
export class CredentialsRefused extends Error {
  constructor() {
    super("invalid credentials");
  }
}

export function createPrincipalResolver(options: PrincipalResolverOptions): PrincipalResolver {
  const refuse = (reason: string): never => {
    options.logger?.warn({ reason }, "credentials refused");
    throw new CredentialsRefused();
  };
  return async (credentials) => {
    const authorization = credentials.authorization;
    if (!authorization) return ANONYMOUS;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!token) return refuse("authorization is not a bearer token");
    if (options.serviceToken && timingSafeEqualText(token, options.serviceToken)) return FLOWS_PRINCIPAL;
    if (!options.verifyToken) return refuse("no token issuer is configured (CROSSDOCK_JWKS)");
    try {
      const verified = await options.verifyToken(token);
      expiries.set(verified.principal, verified.expiresAt);
      return verified.principal;
    } catch (error) {
      return refuse(error instanceof TokenRejected ? error.reason : String(error));
    }
  };
}

function timingSafeEqualText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export const resolvePrincipalFromCredentials: PrincipalResolver = createPrincipalResolver({});

export function credentialsFromHeaders(headers: IncomingHttpHeaders): CallerCredentials {
  const credentials: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) credentials[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return credentials;
}

/**
 * graphql-ws credentials: the connection_init payload's string fields (`{ authorization }`) or
 * its `headers` object, as browsers cannot set headers on a WebSocket. Upgrade-request headers
 * are not used, so a cookie the browser attached on its own never authenticates a socket.
 */
export function credentialsFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): CallerCredentials {
  const credentials: Record<string, string> = {};
  const collect = (source: unknown) => {
    if (!source || typeof source !== "object") return;
    for (const [name, value] of Object.entries(source)) if (typeof value === "string") credentials[name.toLowerCase()] = value;
  };
  collect(params?.headers);
  collect(params);
  return credentials;
}
