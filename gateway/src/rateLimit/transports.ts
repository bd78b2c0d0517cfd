// The rate limit at the gateway's doors. HTTP: before the body is read or parsed, a POST to
// /graphql (an operation, or an SSE subscription) and an SSE GET take a token or is answered 429 with
// Retry-After. graphql-ws: each subscribe message takes one; a refusal is that operation's error
// and the socket stays open. The principal resolved here is the request's context's too.
import type http from "node:http";
import type { GraphQLError } from "graphql";
import { requestUrl, type Principal } from "@crossdock/platform";
import { isSseRequest } from "../subscriptions/transports/sseTransport.js";
import { clientAddressOf } from "./callerKey.js";
import { rateLimitedError, type RateLimiter } from "./rateLimiter.js";

type Next = () => void;

/** Resolves each request's principal once, for the rate limit and the GraphQL context alike. */
export function createPrincipalMemo(resolve: (headers: http.IncomingHttpHeaders) => Promise<Principal>) {
  const resolved = new WeakMap<http.IncomingHttpHeaders, Promise<Principal>>();
  return (headers: http.IncomingHttpHeaders): Promise<Principal> => {
    let principal = resolved.get(headers);
    if (!principal) {
      principal = resolve(headers);
      // Refused credentials are answered by whoever awaits it next (401); never unhandled here.
      principal.catch(() => undefined);
      resolved.set(headers, principal);
    }
    return principal;
  };
}

export interface HttpRateLimitOptions {
  limiter: RateLimiter;
  principalOf: (headers: http.IncomingHttpHeaders) => Promise<Principal>;
  trustedProxyHops: number;
  path?: string;
}

export function createHttpRateLimit(options: HttpRateLimitOptions): (req: http.IncomingMessage, res: http.ServerResponse, next: Next) => void {
  const path = options.path ?? "/graphql";
  return (req, res, next) => {
    const operation = req.method === "POST" || (req.method === "GET" && isSseRequest(req));
    if (!options.limiter.enabled || !operation || requestUrl(req)?.pathname !== path) return next();
    void (async () => {
      // Refused credentials count against the client's address: guessing tokens is limited too.
      const principal = await options.principalOf(req.headers).catch(() => undefined);
      const decision = await options.limiter.take(principal, clientAddressOf(req, options.trustedProxyHops));
      if (!decision || decision.allowed) return next();
      const error = rateLimitedError(decision);
      res
        .writeHead(429, { "retry-after": String(decision.retryAfterSeconds), "content-type": "application/json; charset=utf-8" })
        .end(JSON.stringify({ errors: [{ message: error.message, extensions: error.extensions }] }));
    })().catch(() => {
      if (!res.headersSent)
        res
          .writeHead(500, { "content-type": "application/json; charset=utf-8" })
          .end('{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}');
    });
  };
}

/** For graphql-ws: each subscribe message of an authenticated socket takes a token. */
export function wsOperationAdmission(limiter: RateLimiter, trustedProxyHops: number) {
  return async (principal: Principal, request: http.IncomingMessage): Promise<GraphQLError | undefined> => {
    if (!limiter.enabled) return undefined;
    const decision = await limiter.take(principal, clientAddressOf(request, trustedProxyHops));
    return decision && !decision.allowed ? rateLimitedError(decision) : undefined;
  };
}
