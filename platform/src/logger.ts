// Structured JSON logs (pino). Every service logs through a child of `createLogger` named
// after itself; request-scoped children carry the request id that travels from the gateway.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
