// How the gateway calls a subgraph. The request id and the authenticated principal (signed)
// travel in headers, so subgraph logs and authorization see the same caller as the gateway. Calls go
// over undici's pooled keep-alive connections with a deadline, so a hung subgraph fails the
// request instead of holding it. Entity fetches of concurrent operations are coalesced
// (entityBatching.ts). A subgraph's coded rejection (e.g. a Decimal variable it cannot parse,
// answered with HTTP 400) reaches the client with its own code and message, not as an opaque
// HTTP failure.
import { GraphQLError } from "graphql";
import { Agent, request as httpRequest } from "undici";
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
// The enum's value is not re-exported from the package root (only its type is).
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types.js";
import { DEV_PRINCIPAL_SECRET, jsonCopy, PRINCIPAL_HEADER, REQUEST_ID_HEADER, signPrincipal, type LocalGraphQLHandler } from "@crossdock/platform";
import type { GatewayContext } from "./context.js";
import { EntityFetchCoalescer, isEntitiesFetch, type EntityCall, type EntityResponse } from "./entityBatching.js";

interface SubgraphErrorBody {
  errors?: { message?: unknown; extensions?: { code?: unknown; [key: string]: unknown } }[];
}

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type GatewayResponse = Awaited<ReturnType<GraphQLDataSource["process"]>>;

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Longest one subgraph call may take (headers and body each). */
  timeoutMs?: number;
  /** Merge `_entities` calls of concurrent operations (same document, variables and caller). */
  coalesceEntityFetches?: boolean;
  /** The most representations one merged call carries. */
  maxBatchRepresentations?: number;
  /** Signs the principal header the subgraphs verify (CROSSDOCK_PRINCIPAL_SECRET). */
  principalSecret?: string;
  /** The subgraph runs in this process: called as a function with the same request and headers, not over HTTP. */
  local?: LocalGraphQLHandler;
}

interface PendingCall extends EntityCall {
  options: ProcessOptions;
  headers: Record<string, string>;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export class CrossdockSubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  readonly name: string;
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly principalSecret: string;
  private readonly agent: Agent;
  private readonly local: LocalGraphQLHandler | undefined;
  private readonly coalescer: EntityFetchCoalescer<PendingCall> | undefined;

  constructor(options: SubgraphDataSourceOptions) {
    this.name = options.name;
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.principalSecret = options.principalSecret ?? DEV_PRINCIPAL_SECRET;
    this.agent = new Agent({ keepAliveTimeout: 60_000, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    this.local = options.local;
    this.coalescer =
      options.coalesceEntityFetches === false
        ? undefined
        : new EntityFetchCoalescer<PendingCall>((calls, representations) => this.sendEntities(calls, representations), options.maxBatchRepresentations);
  }

  async process(options: ProcessOptions): Promise<GatewayResponse> {
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    const headers: Record<string, string> = { "content-type": "application/json" };
    const context = options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION ? options.context : undefined;
    if (context?.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
    if (context?.principal) headers[PRINCIPAL_HEADER] = signPrincipal(context.principal, this.principalSecret);
    const variables = request.variables;
    if (this.coalescer && options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION && isEntitiesFetch(request.query, variables)) {
      const { representations, ...others } = variables as { representations: unknown[] };
      const key = `${headers[PRINCIPAL_HEADER] ?? ""}\n${request.operationName ?? ""}\n${JSON.stringify(others)}\n${request.query}`;
      const response = await this.coalescer.fetch({ key, representations, options, headers });
      return response as GatewayResponse;
    }
    const answer = await this.post(headers, { query: request.query, operationName: request.operationName, variables, extensions: request.extensions });
    return this.respond(options, answer);
  }

  /** Closes the pooled connections (the gateway's shutdown). */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async sendEntities(calls: readonly PendingCall[], representations: unknown[]): Promise<EntityResponse> {
    const first = calls[0]!;
    const { request } = first.options;
    const answer = await this.post(first.headers, {
      query: request.query,
      operationName: request.operationName,
      variables: { ...request.variables, representations },
      extensions: request.extensions,
    });
    const response = this.respond(first.options, answer) as EntityResponse;
    for (const call of calls.slice(1)) {
      if (call.options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION) restrictCachePolicy(call.options, answer.headers["cache-control"]);
    }
    return response;
  }

  private async post(headers: Record<string, string>, body: Record<string, unknown>): Promise<HttpAnswer> {
    if (this.local) return this.postLocal(headers, body);
    const response = await httpRequest(this.url, { method: "POST", headers, body: JSON.stringify(body), dispatcher: this.agent });
    const text = await response.body.text();
    const contentType = String(response.headers["content-type"] ?? "");
    let parsed: unknown = text;
    if (/^application\/(graphql-response\+)?json/.test(contentType)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.statusCode, headers: response.headers, body: parsed };
  }

  /** An in-process subgraph: its answer under the same deadline an HTTP call has. */
  private async postLocal(headers: Record<string, string>, body: Record<string, unknown>): Promise<HttpAnswer> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`subgraph "${this.name}" did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      // As it would arrive over HTTP (undefined fields absent, no object shared with the plan's).
      const response = await Promise.race([this.local!({ headers, body: jsonCopy(body) }), deadline]);
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        parsed = response.body;
      }
      return { status: response.status, headers: response.headers, body: parsed };
    } finally {
      clearTimeout(timer);
    }
  }

  private respond(options: ProcessOptions, answer: HttpAnswer): GatewayResponse {
    if (answer.status < 200 || answer.status >= 300) throw this.errorFromAnswer(answer);
    if (typeof answer.body !== "object" || answer.body === null) {
      throw new Error(`Expected JSON response body from subgraph "${this.name}", but received: ${String(answer.body).slice(0, 200)}`);
    }
    if (options.kind === GraphQLDataSourceRequestKind.INCOMING_OPERATION) {
      restrictCachePolicy(options, answer.headers["cache-control"]);
    }
    return answer.body as GatewayResponse;
  }

  private errorFromAnswer(answer: HttpAnswer): GraphQLError {
    const body = answer.body as SubgraphErrorBody | string;
    const first = typeof body === "object" && body !== null ? body.errors?.[0] : undefined;
    if (answer.status === 400 && first && typeof first.message === "string" && typeof first.extensions?.code === "string") {
      const { code, ...rest } = first.extensions;
      return new GraphQLError(first.message, { extensions: { ...rest, code } });
    }
    const code = answer.status === 401 ? "UNAUTHENTICATED" : answer.status === 403 ? "FORBIDDEN" : undefined;
    return new GraphQLError(`${answer.status}: subgraph "${this.name}" answered with an error`, {
      extensions: { ...(code ? { code } : {}), response: { url: this.url, status: answer.status, body } },
    });
  }
}

/** As @apollo/gateway does: the operation's cache policy is bounded by each subgraph's cache-control. */
function restrictCachePolicy(options: ProcessOptions & { kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION }, header: string | string[] | undefined): void {
  const policy = options.incomingRequestContext.overallCachePolicy as { restrict?: (hint: { maxAge?: number; scope?: string }) => void } | undefined;
  if (!policy?.restrict) return;
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(value)?.[1];
  const hint: { maxAge: number; scope?: string } = { maxAge: maxAge ? Number(maxAge) : 0 };
  if (/(?:^|,)\s*private\b/.test(value)) hint.scope = "PRIVATE";
  else if (/(?:^|,)\s*public\b/.test(value)) hint.scope = "PUBLIC";
  policy.restrict(hint);
}
