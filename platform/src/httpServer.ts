// The HTTP face of every Crossdock service: GraphQL at /graphql (through Apollo Server's
// transport-neutral executeHTTPGraphQLRequest), plus /healthz, /readyz and /metrics.
// It enforces the body-size limit before anything is parsed.
import type http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import type { Registry } from "prom-client";
import { REQUEST_ID_HEADER } from "./principal.js";
import { SpanKind, spanActive, traced, tracingEnabled } from "./tracing.js";

export interface HttpRequestInfo {
  /** The request's headers (an in-process call's too, in the same lower-case form). */
  headers: http.IncomingHttpHeaders;
  requestId: string;
  /** The request's trace (its span's W3C traceparent) for what it causes; null when tracing is off. */
  traceparent: string | null;
}

export interface GraphQLHttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (info: HttpRequestInfo) => Promise<TContext>;
  registry: Registry;
  isReady: () => boolean | Promise<boolean>;
  maxBodyBytes?: number;
  path?: string;
  /** The service's name on its traced spans (`crossdock.service`), e.g. "erp". */
  service?: string;
}

/** A GraphQL request from a caller in the same process: what an HTTP POST to /graphql would carry. */
export interface LocalGraphQLRequest {
  headers: Record<string, string>;
  /** The body as JSON would carry it ({ query, variables, operationName, extensions }): callers normalise it (see jsonCopy). */
  body: unknown;
}

/**
 * A value as it arrives after a trip through JSON, which is what a service receives over HTTP:
 * undefined fields absent, dates as strings, nothing shared with the caller's objects. In-process
 * callers send their variables through it so a call means exactly what it would over HTTP.
 */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export interface LocalGraphQLResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The response body as the HTTP answer would carry it (JSON text). */
  body: string;
}

/**
 * A service's /graphql as a function, for callers in the same process (the embedded hub's gateway
 * calling its subgraphs, the flows calling the gateway): the same Apollo Server pipeline, context
 * (principal verification, request id) and answer as over HTTP, without the loopback socket,
 * the HTTP framing and the client's connection pool.
 */
export type LocalGraphQLHandler = (request: LocalGraphQLRequest) => Promise<LocalGraphQLResponse>;

class BodyTooLargeError extends Error {}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function graphqlError(res: http.ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/** A caller's request id is kept only when it is a plain token; it ends up in every log line. */
function requestIdOf(offered: string | string[] | undefined): string {
  return typeof offered === "string" && /^[\w.:-]{1,100}$/.test(offered) ? offered : randomUUID();
}

/** The operation name a GraphQL body names (or its document's first operation), for its span. */
function operationNameOf(body: unknown): string {
  const { operationName, query } = (body ?? {}) as { operationName?: unknown; query?: unknown };
  const name =
    typeof operationName === "string"
      ? operationName
      : typeof query === "string"
        ? /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query.slice(0, 200))?.[1]
        : undefined;
  return name !== undefined && /^[A-Za-z_]\w{0,63}$/.test(name) ? name : "anonymous";
}

/**
 * Runs one GraphQL request through Apollo Server; shared by the HTTP listener and the in-process
 * handler. Traced as "<service> graphql": under the http instrumentation's server span when it is
 * loaded, else as the server span itself, continuing the caller's trace from the request's
 * traceparent header (an in-process call always carries it there).
 */
function executeGraphQL<TContext extends BaseContext>(
  options: GraphQLHttpServerOptions<TContext>,
  request: { method: string; headers: http.IncomingHttpHeaders; search: string; body: unknown; requestId: string; inProcess: boolean },
) {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const execute = (traceparent: string | null) =>
    options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: request.search, body: request.body },
      context: () => options.context({ headers: request.headers, requestId: request.requestId, traceparent }),
    });
  if (!tracingEnabled()) return execute(null);
  const service = options.service ?? "graphql";
  const serverSpan = request.inProcess || !spanActive();
  return traced(
    `${service} graphql`,
    {
      kind: serverSpan ? SpanKind.SERVER : SpanKind.INTERNAL,
      ...(serverSpan ? { parent: request.headers } : {}),
      attributes: { "crossdock.service": service, "graphql.operation.name": operationNameOf(request.body), "crossdock.in_process": request.inProcess },
    },
    (_span, traceparent) => execute(traceparent),
  );
}

/**
 * The request's URL, read as a path on this server. `new URL(req.url, base)` would read a target
 * such as "//" or "//a:b" as an authority and throw (synchronously, inside the request listener:
 * an uncaught exception that ends the process), so the path is appended to a fixed origin instead;
 * null for anything still unreadable, which the caller answers with 400.
 */
export function requestUrl(req: http.IncomingMessage): URL | null {
  const target = req.url ?? "/";
  try {
    return new URL(`http://localhost${target.startsWith("/") ? target : `/${target}`}`);
  } catch {
    return null;
  }
}

export function createGraphQLRequestListener<TContext extends BaseContext>(options: GraphQLHttpServerOptions<TContext>): http.RequestListener {
  const path = options.path ?? "/graphql";
  const limit = options.maxBodyBytes ?? 1_000_000;
  return (req, res) => {
    const url = requestUrl(req);
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (!url) return void sendJson(res, 400, { errors: [{ message: "Unreadable request target", extensions: { code: "BAD_REQUEST" } }] });
    void (async () => {
      if (url.pathname === "/healthz") return sendJson(res, 200, { status: "ok" });
      if (url.pathname === "/readyz") {
        const ready = await options.isReady();
        return sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "starting" });
      }
      if (url.pathname === "/metrics") {
        res.writeHead(200, { "content-type": options.registry.contentType });
        return res.end(await options.registry.metrics());
      }
      if (url.pathname === "/" && path !== "/") {
        // http://localhost:4000 in a browser lands on the GraphQL endpoint (Apollo Sandbox in development).
        res.writeHead(302, { location: path });
        return res.end();
      }
      if (url.pathname !== path) return sendJson(res, 404, { error: "not found" });
      let body: unknown;
      if (req.method === "POST") {
        let text: string;
        try {
          text = await readBody(req, limit);
        } catch (error) {
          if (error instanceof BodyTooLargeError) return graphqlError(res, 413, "PAYLOAD_TOO_LARGE", `Request body exceeds ${limit} bytes`);
          throw error;
        }
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          return graphqlError(res, 400, "BAD_REQUEST", "Request body is not valid JSON");
        }
      }
      const method = (req.method ?? "GET").toUpperCase();
      const response = await executeGraphQL(options, { method, headers: req.headers, search: url.search, body, requestId, inProcess: false });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") return res.end(response.body.string);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    })().catch(() => {
      if (!res.headersSent) graphqlError(res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
      else res.end();
    });
  };
}

/** The same service's /graphql for callers in this process (see LocalGraphQLHandler): a POST, answered in full. */
export function createLocalGraphQLHandler<TContext extends BaseContext>(options: GraphQLHttpServerOptions<TContext>): LocalGraphQLHandler {
  return async (request) => {
    // Header names as Node gives them over HTTP: lower case.
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    headers["content-type"] ??= "application/json";
    const requestId = requestIdOf(headers[REQUEST_ID_HEADER]);
    const response = await executeGraphQL(options, { method: "POST", headers, search: "", body: request.body, requestId, inProcess: true });
    let body: string;
    if (response.body.kind === "complete") body = response.body.string;
    else {
      // Incremental delivery (@defer) is not something the gateway or the flows ask for; collected whole all the same.
      body = "";
      for await (const chunk of response.body.asyncIterator) body += chunk;
    }
    const answerHeaders: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    for (const [key, value] of response.headers) answerHeaders[key] = value;
    return { status: response.status ?? 200, headers: answerHeaders, body };
  };
}

export async function listen(server: http.Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${shownHost}:${address.port}`;
}

export async function closeServer(server: http.Server): Promise<void> {
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
