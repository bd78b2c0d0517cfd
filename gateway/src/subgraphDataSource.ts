// How the gateway calls a subgraph, assembled from one-concern parts (subgraph-calls/): the
// caller's request id and signed principal as headers, entity-fetch coalescing, load shedding,
// the deadline, and a transport (HTTP, or a function for a subgraph in this process); the
// answer is judged (answerErrors.ts) and bounds the operation's cache policy.
import type { GraphQLDataSource } from "@apollo/gateway";
import { DEV_PRINCIPAL_SECRET, parentFor, SpanKind, traced, tracingEnabled, type LocalGraphQLHandler } from "@crossdock/platform";
import type { GatewayContext } from "./context.js";
import { incomingOperation, type GatewayResponse, type ProcessOptions } from "./apolloGatewayAdapter.js";
import { graphqlBodyOf } from "./subgraph-calls/answerErrors.js";
import { principalSigning, requestIdHeader, traceContextHeader } from "./subgraph-calls/callerHeaders.js";
import { subgraphDeadline } from "./subgraph-calls/deadline.js";
import { EntityCoalescing } from "./subgraph-calls/entityCoalescing.js";
import { localTransport } from "./subgraph-calls/localTransport.js";
import { remoteTransport } from "./subgraph-calls/remoteTransport.js";
import {
  layered,
  type CallDecorator,
  type SubgraphAnswer,
  type SubgraphCall,
  type SubgraphTransport,
  type TransportLayer,
} from "./subgraph-calls/subgraphCall.js";

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Longest one subgraph call may take. */
  timeoutMs?: number;
  /** Merge `_entities` calls of concurrent operations (same document, variables and caller). */
  coalesceEntityFetches?: boolean;
  /** The most representations one merged call carries. */
  maxBatchRepresentations?: number;
  /** Signs the principal header the subgraphs verify (CROSSDOCK_PRINCIPAL_SECRET). */
  principalSecret?: string;
  /** The subgraph runs in this process: called as a function with the same request and headers, not over HTTP. */
  local?: LocalGraphQLHandler;
  /** Layers outside the deadline, outermost first (e.g. load shedding). */
  layers?: readonly TransportLayer[];
}

export class CrossdockSubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly url: string;
  private readonly transport: SubgraphTransport;
  private readonly decorators: readonly CallDecorator[];
  private readonly coalescing: EntityCoalescing | undefined;

  constructor(options: SubgraphDataSourceOptions) {
    this.name = options.name;
    this.url = options.url;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const base = options.local ? localTransport(options.local) : remoteTransport({ url: options.url, timeoutMs });
    this.transport = layered(base, [...(options.layers ?? []), subgraphDeadline({ subgraph: options.name, timeoutMs })]);
    this.decorators = [requestIdHeader, principalSigning(options.principalSecret ?? DEV_PRINCIPAL_SECRET), traceContextHeader];
    this.coalescing =
      options.coalesceEntityFetches === false
        ? undefined
        : new EntityCoalescing({
            send: (call) => this.transport.send(call),
            judge: (answer) => this.judge(answer),
            maxRepresentations: options.maxBatchRepresentations,
          });
  }

  /** One subgraph call, traced as "gateway fetch <subgraph>" (a client span under the operation's) when tracing is on. */
  process(options: ProcessOptions): Promise<GatewayResponse> {
    const incoming = incomingOperation(options);
    if (!tracingEnabled()) return this.call(options, incoming, null);
    return traced(
      `gateway fetch ${this.name}`,
      {
        kind: SpanKind.CLIENT,
        parent: parentFor(incoming?.context?.traceparent),
        attributes: { "crossdock.service": "gateway", "crossdock.subgraph": this.name },
      },
      (_span, traceparent) => this.call(options, incoming, traceparent),
    );
  }

  private async call(options: ProcessOptions, incoming: ReturnType<typeof incomingOperation>, traceparent: string | null): Promise<GatewayResponse> {
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    const call: SubgraphCall = {
      subgraph: this.name,
      headers: { "content-type": "application/json" },
      body: { query: request.query, operationName: request.operationName, variables: request.variables, extensions: request.extensions },
      context: incoming?.context,
      traceparent,
    };
    for (const decorate of this.decorators) decorate(call);
    const onAnswer = (answer: SubgraphAnswer) => incoming?.restrictCachePolicy(answer.headers["cache-control"]);
    const coalesced = incoming ? this.coalescing?.fetch(call, onAnswer) : undefined;
    if (coalesced) return (await coalesced) as GatewayResponse;
    const answer = await this.transport.send(call);
    const body = this.judge(answer);
    onAnswer(answer);
    return body as GatewayResponse;
  }

  /** Closes the pooled connections (the gateway's shutdown). */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private judge(answer: SubgraphAnswer): Record<string, unknown> {
    return graphqlBodyOf(answer, { subgraph: this.name, url: this.url });
  }
}
