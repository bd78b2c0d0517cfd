// What travels with every subgraph call from the caller's context: the request id (so the
// subgraph's logs join the gateway's), the principal, signed so the subgraph can trust it
// (CROSSDOCK_PRINCIPAL_SECRET), and the trace context (W3C traceparent, also on in-process calls).
// One decorator per concern.
import { PRINCIPAL_HEADER, REQUEST_ID_HEADER, signPrincipal, TRACEPARENT } from "@crossdock/platform";
import type { CallDecorator } from "./subgraphCall.js";

export const requestIdHeader: CallDecorator = (call) => {
  if (call.context?.requestId) call.headers[REQUEST_ID_HEADER] = call.context.requestId;
};

export function principalSigning(secret: string): CallDecorator {
  return (call) => {
    if (call.context?.principal) call.headers[PRINCIPAL_HEADER] = signPrincipal(call.context.principal, secret);
  };
}

/** The call's trace (tracing on only): its fetch span's traceparent. */
export const traceContextHeader: CallDecorator = (call) => {
  if (call.traceparent) call.headers[TRACEPARENT] = call.traceparent;
};
