// graphql-ws on the gateway's /graphql (same port as HTTP): credentials from connection_init are
// resolved before the ack (a rejected caller is closed with 4401 and can subscribe to nothing),
// subscriptions go to the subscription service, queries and mutations through Apollo Server.
import type http from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { ApolloServer } from "@apollo/server";
import type { Logger, Principal } from "@crossdock/platform";
import { credentialsFromConnectionParams, type GatewayContext, type PrincipalResolver } from "../context.js";
import type { ErrorFormatter } from "./eventShaping.js";
import { executeThroughApollo } from "./apolloOperation.js";
import { deliverOverSocket } from "./wsDelivery.js";
import { GOING_AWAY_CLOSE_CODE, SLOW_CONSUMER_CLOSE_CODE } from "./subscriptionErrors.js";
import type { SubscriptionMetrics } from "./subscriptionMetrics.js";
import type { SubscriptionService } from "./subscriptionService.js";

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
}

interface OperationContext {
  /** A subscription's stream: its events go straight to the socket (wsDelivery), it only ends. */
  stream?: AsyncIterable<never>;
  principal: Principal;
  query: string;
}

const isErrorList = (value: unknown): value is readonly GraphQLError[] => Array.isArray(value);

const UNAUTHORIZED_CLOSE_CODE = 4401;

export function attachWsTransport(options: WsTransportOptions): { close(): Promise<void> } {
  const { service, formatError, logger, metrics } = options;
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path });
  const principals = new WeakMap<WebSocket, Principal>();
  wss.on("connection", (socket) => {
    metrics.connections.inc({ transport: "ws" });
    socket.once("close", () => metrics.connections.dec({ transport: "ws" }));
  });
  const toErrors = (errors: readonly GraphQLError[]) => errors.map(formatError);
  const server = useServer<Record<string, unknown>, { socket: WebSocket; request: http.IncomingMessage }>(
    {
      async onConnect(ctx) {
        try {
          principals.set(ctx.extra.socket, await options.resolvePrincipal(credentialsFromConnectionParams(ctx.connectionParams)));
          return true;
        } catch (error) {
          const message = error instanceof Error && error.message ? error.message : "invalid credentials";
          ctx.extra.socket.close(UNAUTHORIZED_CLOSE_CODE, `Unauthorized: ${message}`.slice(0, 120));
          return false;
        }
      },
      async onSubscribe(ctx, id, payload) {
        const principal = principals.get(ctx.extra.socket);
        if (!principal) return [new GraphQLError("Unauthorized", { extensions: { code: "UNAUTHENTICATED" } })];
        const base = { schema: service.schema(), operationName: payload.operationName ?? null, variableValues: payload.variables ?? {} };
        const { document, errors } = service.parseAndValidate(payload.query);
        if (!document || errors.length > 0) return [...errors];
        const operation = getOperationAST(document, payload.operationName ?? undefined);
        if (operation?.operation !== "subscription") {
          return { ...base, document, contextValue: { principal, query: payload.query } satisfies OperationContext };
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
        return { ...base, document, contextValue: { stream, principal, query: payload.query } satisfies OperationContext };
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
