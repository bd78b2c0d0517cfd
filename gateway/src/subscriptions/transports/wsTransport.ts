// graphql-ws on the gateway's /graphql (same port as HTTP): the upgrade is checked against the
// Origin allowlist, frames are capped at the body limit, credentials from connection_init are
// resolved before the ack (a rejected caller is closed with 4401 and can subscribe to nothing),
// and a connection is closed with 4403 when its token expires. Subscriptions go to the
// subscription service, queries and mutations through Apollo Server.
import type http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { ApolloServer } from "@apollo/server";
import type { Logger, Principal } from "@crossdock/platform";
import { credentialExpiry, credentialsFromConnectionParams, type GatewayContext, type PrincipalResolver } from "../../context.js";
import { isOriginAllowed } from "../../transportGuard.js";
import type { ErrorFormatter } from "../resolution/eventShaping.js";
import { executeThroughApollo } from "./apolloOperation.js";
import { deliverOverSocket } from "./wsDelivery.js";
import { GOING_AWAY_CLOSE_CODE, SLOW_CONSUMER_CLOSE_CODE } from "../subscriptionErrors.js";
import type { SubscriptionMetrics } from "../subscriptionMetrics.js";
import type { SubscriptionService } from "../subscriptionService.js";
import type { TrustedDocuments } from "../../persistedOperations/index.js";

export interface WsTransportOptions {
  httpServer: http.Server;
  path: string;
  apollo: ApolloServer<GatewayContext>;
  service: SubscriptionService;
  resolvePrincipal: PrincipalResolver;
  formatError: ErrorFormatter;
  logger: Logger;
  metrics: SubscriptionMetrics;
  keepAliveMs: number;
  /** Browser origins allowed to open a socket besides the gateway's own (CROSSDOCK_ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** Largest frame accepted; a bigger one closes the socket (1009). */
  maxPayloadBytes: number;
  /** Trusted documents (CROSSDOCK_PERSISTED_OPERATIONS): ids resolved, unlisted bodies held to the safelist mode. */
  documents?: TrustedDocuments | undefined;
  /** Checked before each subscribe message (the rate limit): an error refuses that operation, the socket stays. */
  admitOperation?: OperationAdmission;
}

/** Whether an authenticated socket may start one more operation; an error says why not. */
export type OperationAdmission = (principal: Principal, request: http.IncomingMessage) => Promise<GraphQLError | undefined>;

interface OperationContext {
  /** A subscription's stream: its events go straight to the socket (wsDelivery), it only ends. */
  stream?: AsyncIterable<never>;
  principal: Principal;
  query: string;
}

const isErrorList = (value: unknown): value is readonly GraphQLError[] => Array.isArray(value);

const UNAUTHORIZED_CLOSE_CODE = 4401;
/** graphql-ws's "Forbidden": the connection's credentials no longer hold (the token expired). */
export const FORBIDDEN_CLOSE_CODE = 4403;
/** setTimeout's longest delay; a later expiry is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function attachWsTransport(options: WsTransportOptions): { close(): Promise<void> } {
  const { service, formatError, logger, metrics } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
    verifyClient: ({ req }, done) => {
      if (isOriginAllowed(req, options.allowedOrigins)) return done(true);
      logger.warn({ origin: req.headers.origin }, "WebSocket upgrade refused: origin not allowed");
      done(false, 403, "Forbidden origin");
    },
  });
  const principals = new WeakMap<WebSocket, Principal>();
  /** Closes the socket with 4403 when its credential expires; cleared when it closes first. */
  const closeAtExpiry = (socket: WebSocket, expiresAt: number) => {
    const arm = () => {
      const left = expiresAt - Date.now();
      if (left <= 0) return void socket.close(FORBIDDEN_CLOSE_CODE, "Forbidden: token expired");
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      timer.unref();
    };
    let timer: NodeJS.Timeout | undefined;
    arm();
    socket.once("close", () => clearTimeout(timer));
  };
  wss.on("connection", (socket) => {
    metrics.connections.inc({ transport: "ws" });
    socket.once("close", () => metrics.connections.dec({ transport: "ws" }));
  });
  const toErrors = (errors: readonly GraphQLError[]) => errors.map(formatError);
  const server = useServer<Record<string, unknown>, { socket: WebSocket; request: http.IncomingMessage }>(
    {
      async onConnect(ctx) {
        let principal: Principal;
        try {
          principal = await options.resolvePrincipal(credentialsFromConnectionParams(ctx.connectionParams));
        } catch {
          // Why is in the log (the resolver's); the client learns only that it was refused.
          ctx.extra.socket.close(UNAUTHORIZED_CLOSE_CODE, "Unauthorized");
          return false;
        }
        principals.set(ctx.extra.socket, principal);
        const expiresAt = credentialExpiry(principal);
        if (expiresAt !== undefined) closeAtExpiry(ctx.extra.socket, expiresAt);
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        const principal = principals.get(ctx.extra.socket);
        if (!principal) return [new GraphQLError("Unauthorized", { extensions: { code: "UNAUTHENTICATED" } })];
        const refusal = await options.admitOperation?.(principal, ctx.extra.request);
        if (refusal) return [refusal];
        const base = { schema: service.schema(), operationName: payload.operationName ?? null, variableValues: payload.variables ?? {} };
        // Before parsing, as over HTTP: an id becomes its listed body, an unlisted body may be refused.
        const admission = options.documents?.admit(payload, principal, "ws") ?? { ok: true, query: payload.query };
        if (!admission.ok) return [admission.error];
        const query = admission.query ?? "";
        const { document, errors } = service.parseAndValidate(query);
        if (!document || errors.length > 0) return [...errors];
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (operation?.operation !== "subscription") {
          return { ...base, document, contextValue: { principal, query } satisfies OperationContext };
        }
        const prepared = service.prepare(document, payload.operationName, payload.variables);
        if (!prepared.ok) return [...prepared.errors];
        const socket = ctx.extra.socket;
        const opened = await service.open(prepared.plan, principal, {
          onSlowConsumer: () => {
            socket.close(SLOW_CONSUMER_CLOSE_CODE, "slow consumer: event queue overflowed; resubscribe with your last cursor");
            // A client that stopped reading never completes the close handshake.
            setTimeout(() => socket.terminate(), 5000).unref();
          },
        });
        if (isErrorList(opened)) return [...opened];
        const stream = deliverOverSocket(opened, socket, id);
        return { ...base, document, contextValue: { stream, principal, query } satisfies OperationContext };
      },
      // A subscription's events bypass graphql-ws (wsDelivery); its stream yields nothing and ends.
      subscribe: (args: ExecutionArgs) => (args.contextValue as OperationContext).stream as AsyncIterable<ExecutionResult>,
      execute: async (args: ExecutionArgs) => {
        const { principal, query } = args.contextValue as OperationContext;
        const variables = args.variableValues ?? null;
        return (await executeThroughApollo(options.apollo, { query, variables, operationName: args.operationName }, principal, logger)) as ExecutionResult;
      },
      // Query and mutation results are already formatted (masked) by Apollo Server; onNext hands
      // them to the socket as they are, so graphql-ws never calls toJSON() on their errors.
      onNext: (_ctx, _id, _payload, _args, result) => result,
      onError: (_ctx, _id, _payload, errors) => toErrors(errors),
    },
    wss,
    options.keepAliveMs,
  );
  return {
    /** Closes every socket with 1001 (clients reconnect elsewhere and resume) and stops listening. */
    async close() {
      for (const socket of wss.clients) socket.close(GOING_AWAY_CLOSE_CODE, "gateway shutting down; resubscribe with your last cursor");
      await server.dispose();
    },
  };
}
