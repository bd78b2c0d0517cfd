// What travels with every subgraph call from the caller's context: the request id (so the
// subgraph's logs join the gateway's) and the principal, signed so the subgraph can trust it
// (CROSSDOCK_PRINCIPAL_SECRET). One decorator per concern.
import { PRINCIPAL_HEADER, REQUEST_ID_HEADER, signPrincipal } from "@crossdock/platform";
import type { CallDecorator } from "./subgraphCall.js";

export const requestIdHeader: CallDecorator = (call) => {
  if (call.context?.requestId) call.headers[REQUEST_ID_HEADER] = call.context.requestId;
};

export function principalSigning(secret: string): CallDecorator {
  return (call) => {
    if (call.context?.principal) call.headers[PRINCIPAL_HEADER] = signPrincipal(call.context.principal, secret);
  };
}
