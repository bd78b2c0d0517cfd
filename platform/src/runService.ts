// The body of every service's process entry (src/index.ts): start it, log where it listens,
// stop it cleanly on SIGINT/SIGTERM, and exit 1 with the reason when it cannot start. Once
// started, no stray rejection or exception takes it down (processGuards.ts). Tracing starts
// first when the OTEL_* environment asks for it (tracing.ts), and is flushed after the stop.
import { createLogger, type Logger } from "./logger.js";
import { installProcessGuards } from "./processGuards.js";
import { startTracing, type TracingHandle } from "./tracing.js";

export async function runService(name: string, start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<void> {
  const logger = createLogger(name);
  installProcessGuards(logger);
  try {
    const tracing = await startTracing(name);
    if (tracing.enabled) logger.info("tracing on (OpenTelemetry, OTLP)");
    stopOnSignals(name, withTracingFlushed(await start(), tracing), logger);
  } catch (error) {
    logger.error({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}

/** The service, stopped and then its traces flushed (a flush that fails loses only traces). */
export function withTracingFlushed<T extends { url: string; stop(): Promise<void> }>(running: T, tracing: TracingHandle): T {
  return { ...running, stop: () => running.stop().then(() => tracing.shutdown().catch(() => undefined)) };
}

/** Logs that a started service is ready, then stops it on SIGINT/SIGTERM and exits 0, or 1 when it cannot stop cleanly. */
export function stopOnSignals(name: string, running: { url: string; stop(): Promise<void> }, logger: Logger): void {
  logger.info({ url: running.url }, `${name} ready`);
  const shutdown = () => {
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, `${name} did not stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
