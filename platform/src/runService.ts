// The body of every service's process entry (src/index.ts): start it, log where it listens,
// stop it cleanly on SIGINT/SIGTERM, and exit 1 with the reason when it cannot start. Once
// started, no stray rejection or exception takes it down (processGuards.ts). Tracing starts
// first when the OTEL_* environment asks for it (tracing.ts), and is flushed after the stop.
import { createLogger } from "./logger.js";
import { installProcessGuards } from "./processGuards.js";
import { startTracing } from "./tracing.js";

export async function runService(name: string, start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<void> {
  const logger = createLogger(name);
  installProcessGuards(logger);
  try {
    const tracing = await startTracing(name);
    if (tracing.enabled) logger.info("tracing on (OpenTelemetry, OTLP)");
    const running = await start();
    logger.info({ url: running.url }, `${name} ready`);
    const shutdown = () => {
      running
        .stop()
        .then(() => tracing.shutdown().catch(() => undefined))
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, `${name} did not stop cleanly`);
            process.exit(1);
          },
        );
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  } catch (error) {
    logger.error({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}
