// GraphQL over Server-Sent Events (graphql-sse, "distinct connections" mode: one HTTP stream per
// operation) on /graphql for requests that accept text/event-stream — the fallback for networks
// that drop WebSockets. Subscriptions only: any page can open an EventSource (a GET, no
// preflight), so a query or mutation here would be cross-site request forgery; those are POST.
// Credentials come from the request headers; writes wait for the socket to drain, so a slow
// reader fills its bounded subscription queue instead of this process's memory.
import type http from "node:http";
import { once } from "node:events";
import { createHandler, type Request as SseRequest } from "graphql-sse";
import { getOperationAST, GraphQLError } from "graphql";
import type { ApolloServer } from "@apollo/server";
import type { Logger, Principal } from "@crossdock/platform";
import { credentialExpiry, credentialsFromHeaders, type GatewayContext, type PrincipalResolver } from "../../context.js";
import type { ErrorFormatter, EventResponse } from "../resolution/eventShaping.js";
import type { SubscriptionMetrics } from "../subscriptionMetrics.js";
import type { SubscriptionService } from "../subscriptionService.js";
import type { TrustedDocuments } from "../../persistedOperations/index.js";

export interface SseTransportOptions {
  apollo: ApolloServer<GatewayContext>;
  service: SubscriptionService;
  resolvePrincipal: PrincipalResolver;
  formatError: ErrorFormatter;
  logger: Logger;
  metrics: SubscriptionMetrics;
  maxBodyBytes: number;
  /** Trusted documents (CROSSDOCK_PERSISTED_OPERATIONS): ids resolved, unlisted bodies held to the safelist mode. */
  documents?: TrustedDocuments | undefined;
}

interface SseRequestContext {
  res: http.ServerResponse;
  principal?: Principal;
}

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/** Destroys the response (no `complete`) once `expiresAt` (epoch ms) has passed. */
function endAtExpiry(res: http.ServerResponse, expiresAt: number): { timer: NodeJS.Timeout } {
  const handle = { timer: undefined as unknown as NodeJS.Timeout };
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return void res.destroy();
    handle.timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    handle.timer.unref();
  };
  arm();
  return handle;
}

/** Bytes buffered on a stream before the next event waits for it to drain. */
const HIGH_WATER_BYTES = 64 * 1024;

const json = (status: number, body: unknown) =>
  [JSON.stringify(body), { status, statusText: String(status), headers: { "content-type": "application/json; charset=utf-8" } }] as const;

export function isSseRequest(req: http.IncomingMessage): boolean {
  return (req.headers.accept ?? "").includes("text/event-stream");
}

export function createSseTransport(options: SseTransportOptions) {
  const { service, formatError, metrics } = options;
  const open = new Set<http.ServerResponse>();
  const errorResult = (errors: readonly GraphQLError[]) => ({ data: null, errors: errors.map(formatError) });
  const handler = createHandler<http.IncomingMessage, SseRequestContext>({
    async authenticate(req) {
      try {
        req.context.principal = await options.resolvePrincipal(credentialsFromHeaders(req.raw.headers));
      } catch {
        // Why is in the log (the resolver's); the client learns only that it was refused.
        return json(401, { errors: [{ message: "Unauthorized", extensions: { code: "UNAUTHENTICATED" } }] });
      }
      // null: no single-connection mode; every operation is its own event stream.
      return null;
    },
    async onSubscribe(req, params) {
      const principal = req.context.principal!;
      const admission = options.documents?.admit(params, principal, "sse") ?? { ok: true, query: params.query };
      if (!admission.ok) return errorResult([admission.error]);
      const { document, errors } = service.parseAndValidate(admission.query ?? "");
      if (!document || errors.length > 0) return errorResult(errors);
      const operation = getOperationAST(document, params.operationName ?? undefined);
      if (operation?.operation !== "subscription") {
        return errorResult([new GraphQLError("SSE carries subscriptions only; send queries and mutations with POST", { extensions: { code: "BAD_REQUEST" } })]);
      }
      const prepared = service.prepare(document, params.operationName, params.variables);
      if (!prepared.ok) return errorResult(prepared.errors);
      const opened = await service.open(prepared.plan, principal);
      // The SLOW_CONSUMER error is the stream's last event; the client resumes with its cursor.
      return Array.isArray(opened) ? errorResult(opened as readonly GraphQLError[]) : (opened as AsyncIterable<EventResponse>);
    },
    async onNext(_ctx, req) {
      const res = req.context.res;
      if (res.writableLength > HIGH_WATER_BYTES && !res.destroyed) await Promise.race([once(res, "drain"), once(res, "close")]);
    },
  } as Parameters<typeof createHandler<http.IncomingMessage, SseRequestContext>>[0]);

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBodyBytes) throw new Error("body too large");
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  return {
    async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
      let body: string;
      try {
        body = req.method === "POST" ? await readBody(req) : "";
      } catch {
        res
          .writeHead(413, { "content-type": "application/json; charset=utf-8" })
          .end(JSON.stringify({ errors: [{ message: "Request body too large", extensions: { code: "PAYLOAD_TOO_LARGE" } }] }));
        return;
      }
      const request: SseRequest<http.IncomingMessage, SseRequestContext> = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: { get: (key) => (Array.isArray(req.headers[key]) ? (req.headers[key] as string[]).join("\n") : (req.headers[key] as string | undefined)) },
        body,
        raw: req,
        context: { res },
      };
      const [stream, init] = await handler(request);
      res.writeHead(init.status, init.statusText, init.headers);
      if (!stream || typeof stream === "string") {
        res.end(stream);
        return;
      }
      // The client learns the stream is open now, not at the first event (which may be far off).
      res.flushHeaders();
      open.add(res);
      metrics.connections.inc({ transport: "sse" });
      // As a WebSocket is closed with 4403: a stream ends when its token expires. The client's
      // retry then needs a fresh token (the expired one gets 401), and resumes from its cursor.
      const expiresAt = request.context.principal ? credentialExpiry(request.context.principal) : undefined;
      const expiry = expiresAt === undefined ? undefined : endAtExpiry(res, expiresAt);
      res.once("close", () => {
        if (expiry) clearTimeout(expiry.timer);
        open.delete(res);
        metrics.connections.dec({ transport: "sse" });
        void stream.return(undefined);
      });
      try {
        for await (const chunk of stream) {
          if (res.destroyed) break;
          res.write(chunk);
        }
      } finally {
        res.end();
      }
    },
    /** Cuts every stream without a `complete`, so graphql-sse clients retry (and resume) elsewhere. */
    close(): void {
      for (const res of open) res.destroy();
    },
  };
}
