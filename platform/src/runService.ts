// The body of every service's process entry (src/index.ts): start it, log where it listens,
// stop it cleanly on SIGINT/SIGTERM, and exit 1 with the reason when it cannot start. Once
// started, no stray rejection or exception takes it down (processGuards.ts).
import { createLogger, type Logger } from "./logger.js";
import { installProcessGuards } from "./processGuards.js";

export async function runService(name: string, start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<void> {
  const logger = createLogger(name);
  installProcessGuards(logger);
  try {
    stopOnSignals(name, await start(), logger);
  } catch (error) {
    logger.error({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
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
