// Logs (pino): JSON lines everywhere except development (NODE_ENV=development, as `npm start`
// sets), where one shared pino-pretty stream prints them for a person. pino-pretty is a dev
// dependency: a release without it (npm prune --omit=dev) logs JSON, and production never loads it.
// With tracing on (tracing.ts), a request's logger (and a flow step's, an apply's) carries the
// `trace_id` of its sampled trace (traceLogFields).
import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

const require = createRequire(import.meta.url);
let prettyStream: DestinationStream | null | undefined;

/** The one pretty stream of this process (synchronous, so lines keep their order), or null. */
function developmentStream(): DestinationStream | null {
  if (prettyStream !== undefined) return prettyStream;
  try {
    const pretty = require("pino-pretty") as (options: Record<string, unknown>) => DestinationStream;
    prettyStream = pretty({ sync: true, colorize: process.stdout.isTTY, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service" });
  } catch {
    prettyStream = null;
  }
  return prettyStream;
}

export type { DestinationStream };

/** A service's logger; `destination` (tests) receives its JSON lines instead of stdout. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info", destination?: DestinationStream): Logger {
  const options = { name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime };
  if (destination) return pino(options, destination);
  const stream = process.env.NODE_ENV === "development" ? developmentStream() : null;
  return stream ? pino(options, stream) : pino(options);
}
