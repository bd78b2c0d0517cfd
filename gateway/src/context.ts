// The per-request context of the gateway: who is calling and the request id. Authentication
// proper (tokens, scopes) plugs in at `resolvePrincipal`; in development callers are anonymous.
// Every transport (HTTP, graphql-ws connection_init, SSE) reads credentials into the same
// header-like shape and resolves them through the same seam before anything executes.
import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ANONYMOUS, ROLE_SCOPES, type Logger, type Principal } from "@crossdock/platform";

export interface GatewayContext {
  requestId: string;
  principal: Principal;
  logger: Logger;
}

/** What a caller presented, as lower-case header names (e.g. `authorization`). */
export type CallerCredentials = Readonly<Record<string, string | undefined>>;

/**
 * Resolves credentials to a principal. Throws (any error) to reject the caller: HTTP answers
 * 401, graphql-ws closes the socket at connection_init with 4401, SSE answers 401.
 */
export type PrincipalResolver = (credentials: CallerCredentials) => Principal | Promise<Principal>;

/**
 * The built-in resolver: the process layer's service token (`Authorization: Bearer <token>`)
 * makes the caller the `flows` service principal; no credentials make it anonymous; any other
 * bearer token is refused. User and partner tokens (JWT) plug in here with the security work.
 */
export function createPrincipalResolver(options: { serviceToken?: string | undefined }): PrincipalResolver {
  return (credentials) => {
    const authorization = credentials.authorization;
    if (!authorization) return ANONYMOUS;
    const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
    if (token && options.serviceToken && timingSafeEqualText(token, options.serviceToken)) {
      return { kind: "service", subject: "flows", scopes: [...ROLE_SCOPES.flowsService] };
    }
    throw new Error("unknown credentials");
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
