// Traces (OpenTelemetry): the standard Node SDK, configured by the standard environment
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER,
// ...). Off unless an OTLP endpoint or a traces exporter is set: then the SDK is never loaded and
// every helper here is a plain call that does nothing. One provider per process (the embedded hub
// runs every service in one). W3C trace context travels as `traceparent`: in HTTP headers, in the
// in-process calls' headers, and in the data a change carries from its source transaction to what
// reacts to it.
//
// Crossdock passes the trace context explicitly: each request's context, write actor, change batch
// and flow step holds its traceparent, so its own spans need no context manager. On Node 20 the
// SDK's AsyncLocalStorage context manager puts a hook on every promise the process makes, which
// cost the gateway 13% of its throughput with nothing sampled (docs/observability.md). It is
// registered only with the SDK's http/undici/pg instrumentations (opt-in), which need it.
import { createRequire } from "node:module";
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Context,
  type ContextManager,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";

export { SpanKind };
export type { Span };

/** The W3C header (and column) name. */
export const TRACEPARENT = "traceparent";

export interface TracingHandle {
  /** Whether this process exports traces. */
  enabled: boolean;
  /** Flushes what is still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const DISABLED: TracingHandle = { enabled: false, shutdown: async () => undefined };

let enabled = false;
/** Whether a context manager is registered (the instrumentations need one): then the active context is also kept. */
let contextManaged = false;
let started: Promise<TracingHandle> | null = null;

/** Tracing is on when the environment names an OTLP endpoint or a traces exporter (the standard variables). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const set = (value: string | undefined) => (value ?? "").trim() !== "";
  if ((env.OTEL_SDK_DISABLED ?? "").trim().toLowerCase() === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (set(exporter)) return exporter!.trim().toLowerCase() !== "none";
  return set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Whether this process exports traces (startTracing found them configured). */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Starts tracing once per process (later calls get the same handle). `serviceName` is used when
 * OTEL_SERVICE_NAME is not set. Without configuration nothing is loaded and nothing is registered.
 * `env` decides whether it starts; the SDK itself reads its settings from process.env.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<TracingHandle> {
  if (!tracingConfigured(env)) return Promise.resolve(DISABLED);
  started ??= loadSdk(serviceName, env).catch((error: unknown) => {
    started = null;
    throw error;
  });
  return started;
}

/** The instrumentations this process can load, by the names OTEL_NODE_{ENABLED,DISABLED}_INSTRUMENTATIONS use. */
export const INSTRUMENTATIONS = ["http", "undici", "pg"] as const;
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number];

/**
 * Which of the SDK's instrumentations to load: those OTEL_NODE_ENABLED_INSTRUMENTATIONS lists
 * (comma-separated names, as @opentelemetry/auto-instrumentations-node reads them; "all" for every
 * one), less any that OTEL_NODE_DISABLED_INSTRUMENTATIONS lists. None by default, unlike
 * auto-instrumentations-node: Crossdock's own spans (each service's GraphQL request, the subgraph
 * calls, the apply, flow steps, pushes) and the trace context they carry do not need them, and they
 * need the context manager that costs every request (see the top of the file). They add a span per
 * HTTP exchange, fetch and SQL statement.
 */
export function instrumentationsFrom(env: NodeJS.ProcessEnv): Set<InstrumentationName> {
  const list = (value: string | undefined) =>
    (value ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== "");
  const enabled = list(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS);
  const disabled = new Set(list(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS));
  return new Set(INSTRUMENTATIONS.filter((name) => (enabled.includes("all") || enabled.includes(name)) && !disabled.has(name)));
}

let loadedInstrumentations = new Set<InstrumentationName>();

/** Whether this process loaded that instrumentation (tracing on and the environment asked for it). */
export function instrumentationLoaded(name: InstrumentationName): boolean {
  return enabled && loadedInstrumentations.has(name);
}

/** Whether a span is active here (for instance the http instrumentation's server span); never without a context manager. */
export function spanActive(): boolean {
  return contextManaged && trace.getSpan(context.active()) !== undefined;
}

/**
 * The trace to continue: the active span's context when a context manager keeps one (so the
 * instrumentations' spans and ours nest), else the traceparent the caller holds.
 */
export function parentFor(traceparent: string | null | undefined): string | null | undefined {
  return spanActive() ? undefined : (traceparent ?? null);
}

/** The context manager when there is none to keep: nothing is ever active, `with` only calls. */
const NO_ACTIVE_CONTEXT: ContextManager = {
  active: () => ROOT_CONTEXT,
  with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args),
  bind: (_context, target) => target,
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};

/** A tracer whose spans are never recorded, for a library that cannot find its parent without a context manager. */
const SILENT_TRACER: Tracer = {
  startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  startActiveSpan: (...args: unknown[]) => (args[args.length - 1] as (span: Span) => unknown)(trace.wrapSpanContext(INVALID_SPAN_CONTEXT)),
} as Tracer;

/**
 * @apollo/gateway's own spans (gateway.request, .plan, .fetch, ...) find their parent only through
 * the active context: without a context manager each would start a trace of its own, so they are
 * silenced and the gateway's subgraph calls are traced by Crossdock (gateway/src/subgraph-calls).
 */
function withoutContextBoundLibraries(provider: TracerProvider): TracerProvider {
  return {
    getTracer: (name, version, options) => (name === "apollo/gateway-js" ? SILENT_TRACER : provider.getTracer(name, version, options)),
  };
}

async function loadSdk(serviceName: string, env: NodeJS.ProcessEnv): Promise<TracingHandle> {
  const chosen = instrumentationsFrom(env);
  loadedInstrumentations = chosen;
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const instrumentations = [];
  if (chosen.has("http")) {
    const { HttpInstrumentation } = await import("@opentelemetry/instrumentation-http");
    // Health, readiness and metrics scrapes are not traced: they would drown the requests.
    instrumentations.push(new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics)\b/.test(request.url ?? "") }));
  }
  if (chosen.has("undici")) instrumentations.push(new (await import("@opentelemetry/instrumentation-undici")).UndiciInstrumentation());
  if (chosen.has("pg")) instrumentations.push(new (await import("@opentelemetry/instrumentation-pg")).PgInstrumentation({ requireParentSpan: true }));
  // The instrumentations find their parent span through the active context: only they need a context manager.
  const managed = instrumentations.length > 0;
  const sdk = new NodeSDK({
    ...((env.OTEL_SERVICE_NAME ?? "").trim() === "" ? { serviceName } : {}),
    instrumentations,
    ...(managed ? {} : { contextManager: NO_ACTIVE_CONTEXT }),
    // Traces only: metrics stay Prometheus (/metrics), logs stay pino lines (with trace_id).
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  if (!managed) {
    // The same global proxy, a new delegate: libraries hold tracers of this proxy (taken when they loaded).
    const proxy = trace.getTracerProvider();
    if (proxy instanceof ProxyTracerProvider) proxy.setDelegate(withoutContextBoundLibraries(proxy.getDelegate()));
  }
  contextManaged = managed;
  // The instrumentations patch modules when they are required; this process imports them as ES
  // modules, so they are required here once (the same module objects the imports share).
  const require = createRequire(import.meta.url);
  for (const name of ["node:http", "node:https", "pg"]) {
    try {
      require(name);
    } catch {
      // pg is absent in a release that runs only on PGlite.
    }
  }
  enabled = true;
  return {
    enabled: true,
    async shutdown() {
      enabled = false;
      contextManaged = false;
      await sdk.shutdown();
      started = null;
    },
  };
}

function tracer() {
  return trace.getTracer("crossdock");
}

/** The active span's W3C traceparent, or null (tracing off, or no span). */
export function activeTraceparent(active: Context = context.active()): string | null {
  if (!enabled) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier[TRACEPARENT] ?? null;
}

/** Adds the active trace context (traceparent, tracestate) to outgoing headers; nothing when tracing is off. */
export function injectTraceContext(headers: Record<string, string>): void {
  if (enabled) propagation.inject(context.active(), headers);
}

/** The context a traceparent (or a set of headers carrying one) continues; the active one when there is none. */
export function contextFrom(carrier: string | null | undefined | Record<string, string | string[] | undefined>): Context {
  if (!enabled || !carrier) return context.active();
  const headers = typeof carrier === "string" ? { [TRACEPARENT]: carrier } : carrier;
  return propagation.extract(context.active(), headers, {
    get: (from, key) => {
      const value = from[key];
      return Array.isArray(value) ? value[0] : value;
    },
    keys: (from) => Object.keys(from),
  });
}

/** The span context a traceparent names, for a span link; null when unreadable or tracing is off. */
export function spanContextOf(traceparent: string | null | undefined): SpanContext | null {
  if (!enabled || !traceparent) return null;
  const remote = trace.getSpanContext(contextFrom(traceparent));
  return remote && trace.isSpanContextValid(remote) ? remote : null;
}

export interface TracedOptions {
  kind?: SpanKind;
  /** Continue this trace (a traceparent or headers carrying one) instead of the active span. */
  parent?: string | null | Record<string, string | string[] | undefined>;
  /** Other traces this work belongs to (their traceparents): span links. */
  links?: readonly (string | null | undefined)[];
  attributes?: Record<string, string | number | boolean>;
}

function parentOf(options: TracedOptions): Context {
  return options.parent === undefined ? context.active() : contextFrom(options.parent);
}

/**
 * The parent was not sampled: with the (default) parent-based samplers no descendant is either,
 * so no span is made at all; the work runs in the parent's context, which carries the decision on.
 */
function unsampled(parent: Context): boolean {
  const parentSpan = trace.getSpanContext(parent);
  return parentSpan !== undefined && trace.isSpanContextValid(parentSpan) && (parentSpan.traceFlags & TraceFlags.SAMPLED) === 0;
}

function startSpan(name: string, options: TracedOptions, parent: Context): { span: Span; active: Context } {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const traceparent of options.links ?? []) {
    const linked = spanContextOf(traceparent);
    if (!linked || seen.has(linked.spanId)) continue;
    seen.add(linked.spanId);
    links.push({ context: linked });
  }
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, links, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
  );
  return { span, active: trace.setSpan(parent, span) };
}

/** A span context as a W3C traceparent (version 00). */
function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** The traceparent of a span, to hand to what it causes (null when tracing is off or it has none). */
export function traceparentOf(span: Span | null | undefined): string | null {
  if (!enabled || !span) return null;
  const spanContext = span.spanContext();
  return trace.isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : null;
}

/** What an unsampled parent passes on: its own traceparent, so nothing downstream is sampled either. */
function passedOn(options: TracedOptions, parent: Context): string | null {
  if (typeof options.parent === "string") return options.parent;
  const spanContext = trace.getSpanContext(parent);
  return spanContext && trace.isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : null;
}

function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs `fn` in a span; records a thrown error on the span. `fn` gets the span and the traceparent
 * to hand to what it causes (the span's; under an unsampled parent, which makes no span, the
 * parent's). With a context manager the span is also active for everything `fn` calls. With tracing
 * off it only calls `fn` (with nulls).
 */
export async function traced<T>(name: string, options: TracedOptions, fn: (span: Span | null, traceparent: string | null) => Promise<T>): Promise<T> {
  if (!enabled) return fn(null, null);
  const parent = parentOf(options);
  if (unsampled(parent)) return contextManaged ? context.with(parent, () => fn(null, passedOn(options, parent))) : fn(null, passedOn(options, parent));
  const { span, active } = startSpan(name, options, parent);
  try {
    return await (contextManaged ? context.with(active, () => fn(span, traceparentOf(span))) : fn(span, traceparentOf(span)));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** traced() for synchronous work: with a context manager, promises `fn` starts keep the span as their parent. */
export function tracedSync<T>(name: string, options: TracedOptions, fn: (span: Span | null, traceparent: string | null) => T): T {
  if (!enabled) return fn(null, null);
  const parent = parentOf(options);
  if (unsampled(parent)) return contextManaged ? context.with(parent, () => fn(null, passedOn(options, parent))) : fn(null, passedOn(options, parent));
  const { span, active } = startSpan(name, options, parent);
  try {
    return contextManaged ? context.with(active, () => fn(span, traceparentOf(span))) : fn(span, traceparentOf(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The trace id a traceparent names, for log lines; undefined for anything else. */
export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  const match = traceparent ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent) : null;
  return match ? match[1] : undefined;
}

/** Log fields for a trace: `trace_id` when the traceparent is sampled (an unsampled trace is never exported). */
export function traceLogFields(traceparent: string | null | undefined): { trace_id?: string } {
  const sampled = traceparent !== null && traceparent !== undefined && (Number.parseInt(traceparent.slice(-2), 16) & TraceFlags.SAMPLED) !== 0;
  const traceId = sampled ? traceIdOf(traceparent) : undefined;
  return traceId === undefined ? {} : { trace_id: traceId };
}
