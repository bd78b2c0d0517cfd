// The HTTP face of every Crossdock service: GraphQL at /graphql (through Apollo Server's
// transport-neutral executeHTTPGraphQLRequest), plus /healthz, /readyz and /metrics.
// It enforces the body-size limit before anything is parsed.
import type http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import type { Registry } from "prom-client";
import { REQUEST_ID_HEADER } from "./principal.js";

export interface HttpRequestInfo {
  req: http.IncomingMessage;
  requestId: string;
}

export interface GraphQLHttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  context: (info: HttpRequestInfo) => Promise<TContext>;
  registry: Registry;
  isReady: () => boolean | Promise<boolean>;
  maxBodyBytes?: number;
  path?: string;
}

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

export function createGraphQLRequestListener<TContext extends BaseContext>(options: GraphQLHttpServerOptions<TContext>): http.RequestListener {
  const path = options.path ?? "/graphql";
  const limit = options.maxBodyBytes ?? 1_000_000;
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // A caller's request id is kept only when it is a plain token; it ends up in every log line.
    const offered = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof offered === "string" && /^[\w.:-]{1,100}$/.test(offered) ? offered : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
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
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      const response = await options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: url.search, body },
        context: () => options.context({ req, requestId }),
      });
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
