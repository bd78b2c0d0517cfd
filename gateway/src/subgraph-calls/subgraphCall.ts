// The shape of one call from the gateway to a subgraph, as the call plugins and transports see
// it: no @apollo/gateway types here (apolloGatewayAdapter.ts owns those), so each concern
// (headers, deadline, coalescing, shedding) is a small function of plain values.
import type { GatewayContext } from "../context.js";

export interface SubgraphRequestBody {
  query: string;
  operationName?: string | undefined;
  variables?: Record<string, unknown> | undefined;
  extensions?: Record<string, unknown> | undefined;
}

export interface SubgraphCall {
  subgraph: string;
  headers: Record<string, string>;
  body: SubgraphRequestBody;
  /** The client operation this call serves; absent for the gateway's own calls (health checks). */
  context?: GatewayContext | undefined;
  /** The trace the call continues (W3C traceparent); null or absent when untraced. */
  traceparent?: string | null | undefined;
  /** Aborted when the call is given up (its deadline passed). */
  signal?: AbortSignal | undefined;
}

/** A subgraph's answer before it is judged: status, lower-case headers, the body parsed when it is JSON. */
export interface SubgraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Sends a call and returns the answer (HTTP, or a function in this process). */
export interface SubgraphTransport {
  send(call: SubgraphCall): Promise<SubgraphAnswer>;
  close(): Promise<void>;
}

/** Wraps a transport with one concern (deadline, load shedding); the result is a transport again. */
export type TransportLayer = (next: SubgraphTransport) => SubgraphTransport;

/** Sets what a call carries before it is sent (headers from the caller's context). */
export type CallDecorator = (call: SubgraphCall) => void;

/** A transport wrapped by layers; the first layer is the outermost. */
export function layered(transport: SubgraphTransport, layers: readonly TransportLayer[]): SubgraphTransport {
  return layers.reduceRight((inner, layer) => layer(inner), transport);
}
