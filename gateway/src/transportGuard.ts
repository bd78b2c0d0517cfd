// Cross-site rules for the gateway's HTTP side: CORS only for the configured origins
// (CROSSDOCK_ALLOWED_ORIGINS; none by default), and no query or mutation over GET: a GET (which a
// page on any site can make, an <img> or EventSource, without a preflight) carries subscriptions
// over SSE only, and the SSE transport runs nothing else. Queries and mutations are POST, behind
// Apollo's CSRF prevention. The WebSocket side checks Origin at the upgrade (isOriginAllowed).
import type http from "node:http";
import cors from "cors";
import { requestUrl } from "@crossdock/platform";
import { isSseRequest } from "./subscriptions/transports/sseTransport.js";

export interface HttpGuardOptions {
  allowedOrigins: readonly string[];
}

type Next = () => void;

export function createHttpGuard(options: HttpGuardOptions): (req: http.IncomingMessage, res: http.ServerResponse, next: Next) => void {
  const withCors =
    options.allowedOrigins.length > 0
      ? cors({
          origin: [...options.allowedOrigins],
          methods: ["GET", "POST"],
          allowedHeaders: [
            "authorization",
            "content-type",
            "apollo-require-preflight",
            "x-apollo-operation-name",
            "x-request-id",
            "apollographql-client-name",
            "apollographql-client-version",
          ],
          maxAge: 600,
        })
      : undefined;
  return (req, res, next) => {
    const proceed = () => {
      if (carriesOperationOverGet(req)) return refuseGet(res);
      next();
    };
    if (withCors) withCors(req, res, proceed);
    else proceed();
  };
}

/** A GET that is not an SSE stream but names an operation (`?query=` or a persisted query's `?extensions=`). */
function carriesOperationOverGet(req: http.IncomingMessage): boolean {
  if (req.method !== "GET" || isSseRequest(req)) return false;
  // An unreadable target is answered 400 by the GraphQL listener.
  const params = requestUrl(req)?.searchParams;
  return params !== undefined && (params.has("query") || params.has("extensions"));
}

function refuseGet(res: http.ServerResponse): void {
  res.writeHead(405, { allow: "POST", "content-type": "application/json; charset=utf-8" }).end(
    JSON.stringify({
      errors: [{ message: "Queries and mutations are sent with POST; GET carries subscriptions over SSE only", extensions: { code: "BAD_REQUEST" } }],
    }),
  );
}

/**
 * Whether a WebSocket upgrade may proceed: no Origin (not a browser), the gateway's own origin
 * (same host), or one of the allowed origins.
 */
export function isOriginAllowed(req: http.IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
