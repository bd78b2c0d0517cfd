// The per-request context of the gateway: who is calling and the request id. Authentication
// proper (tokens, scopes) plugs in at `resolvePrincipal`; in development callers are anonymous.
import type { IncomingMessage } from "node:http";
import { ANONYMOUS, type Logger, type Principal } from "@crossdock/platform";

export interface GatewayContext {
  requestId: string;
  principal: Principal;
  logger: Logger;
}

export function resolvePrincipal(_req: IncomingMessage): Principal {
  return ANONYMOUS;
}
