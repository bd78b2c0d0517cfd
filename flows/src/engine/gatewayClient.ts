// Calls the gateway as the flows' service principal: plain GraphQL over HTTP with the bearer
// token, a timeout, and an abort signal for shutdown. It sorts failures into permanent (a typed
// business error: retrying cannot help) and transient (network, 5xx, a subgraph down).
// undici's request on a keep-alive pool rather than fetch: fetch's web streams and abort
// plumbing took about a quarter of the flows process's CPU in bench:flows. In the embedded hub the
// gateway runs in the same process and is called as a function (same headers, same pipeline).
import { Agent, request } from "undici";
import { injectTraceContext, instrumentationLoaded, jsonCopy, spanActive, TRACEPARENT, type LocalGraphQLHandler } from "@crossdock/platform";
import { PermanentStepError } from "./types.js";

/** Error codes from the registry that mean "this request will never succeed as it is". */
const PERMANENT_CODES = new Set([
  "BAD_USER_INPUT",
  "INVALID_DECIMAL",
  "INVALID_QUANTITY",
  "INVALID_DATETIME",
  "NOT_FOUND",
  "UNKNOWN_CUSTOMER",
  "UNKNOWN_SKU",
  "UNKNOWN_WAREHOUSE",
  "UNKNOWN_ORDER",
  "UNKNOWN_FULFILLMENT",
  "UNKNOWN_SHIPMENT",
  "UNKNOWN_CASE",
  "INVALID_STATE",
  "INSUFFICIENT_STOCK",
  "IDEMPOTENCY_KEY_REUSED",
  "GRAPHQL_VALIDATION_FAILED",
  "FORBIDDEN",
]);

export class TransientStepError extends Error {
  override name = "TransientStepError";
  constructor(
    message: string,
    readonly code: string,
    /** Not processed and will succeed later: the service said so (its database is away), or the gateway refused the connection. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

function connectionRefused(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  return code === "ECONNREFUSED";
}

export interface GatewayClientOptions {
  url: string | Promise<string>;
  /** The gateway in this process, once it is up (undefined: over HTTP to `url`). */
  local?: Promise<LocalGraphQLHandler | undefined>;
  serviceToken: string;
  timeoutMs: number;
  /** Aborted when the engine stops: in-flight calls end at once. */
  signal?: AbortSignal;
}

export class GatewayClient {
  private readonly agent: Agent;

  constructor(
    private readonly options: GatewayClientOptions,
    agent?: Agent,
    /** The trace this client's calls continue (a flow step's span); null: the active one, if any. */
    private readonly traceparent: string | null = null,
  ) {
    this.agent = agent ?? new Agent({ keepAliveTimeout: 60_000, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  /** The same client (same pool) with its calls continuing `traceparent`; itself when that is null. */
  continuing(traceparent: string | null): GatewayClient {
    return traceparent ? new GatewayClient(this.options, this.agent, traceparent) : this;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      authorization: `Bearer ${this.options.serviceToken}`,
      "x-crossdock-client": "flows",
    };
    const local = await this.options.local;
    // The trace context goes in the headers, unless the undici instrumentation sends it over HTTP
    // (with a context manager: from the active span, the step's).
    if (local || !instrumentationLoaded("undici")) {
      if (spanActive()) injectTraceContext(headers);
      else if (this.traceparent) headers[TRACEPARENT] = this.traceparent;
    }
    const { status, text } = local ? await this.sendLocal(local, headers, { query, variables }) : await this.sendHttp(headers, { query, variables });
    let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string; retryable?: unknown } }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new TransientStepError(`gateway answered ${status} without a GraphQL body`, `HTTP_${status}`);
    }
    const error = body.errors?.[0];
    if (error) {
      const code = error.extensions?.code ?? `HTTP_${status}`;
      if (PERMANENT_CODES.has(code)) throw new PermanentStepError(error.message, code);
      throw new TransientStepError(error.message, code, error.extensions?.retryable === true);
    }
    if (status < 200 || status >= 300 || body.data === undefined || body.data === null) {
      throw new TransientStepError(`gateway answered ${status}`, `HTTP_${status}`);
    }
    return body.data;
  }

  private async sendHttp(headers: Record<string, string>, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
    const url = await this.options.url;
    const signals = [AbortSignal.timeout(this.options.timeoutMs), ...(this.options.signal ? [this.options.signal] : [])];
    try {
      const response = await request(url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
        dispatcher: this.agent,
      });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      // A refused connection means nothing was sent: the gateway is down or restarting, which is
      // an outage like a database restart (retried until it is back, not parked after a few tries).
      throw new TransientStepError(`gateway unreachable: ${(error as Error).message}`, "GATEWAY_UNREACHABLE", connectionRefused(error));
    }
  }

  /** The in-process gateway, under the same deadline and abort signal as an HTTP call. */
  private async sendLocal(
    local: LocalGraphQLHandler,
    headers: Record<string, string>,
    body: Record<string, unknown>,
  ): Promise<{ status: number; text: string }> {
    const { signal, timeoutMs } = this.options;
    if (signal?.aborted) throw new TransientStepError("gateway call aborted: the engine is stopping", "GATEWAY_UNREACHABLE");
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const cut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientStepError(`gateway did not answer within ${timeoutMs} ms`, "GATEWAY_UNREACHABLE")), timeoutMs);
      onAbort = () => reject(new TransientStepError("gateway call aborted: the engine is stopping", "GATEWAY_UNREACHABLE"));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      // As it would arrive over HTTP (undefined fields absent, no object shared with the step's).
      const response = await Promise.race([local({ headers, body: jsonCopy(body) }), cut]);
      return { status: response.status, text: response.body };
    } catch (error) {
      if (error instanceof TransientStepError) throw error;
      throw new TransientStepError(`gateway call failed: ${(error as Error).message}`, "GATEWAY_UNREACHABLE");
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Closes the pooled connections (the engine's shutdown). */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
