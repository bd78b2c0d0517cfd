// The CRM service's entry point: read the configuration, start, and exit non-zero when the
// start fails. Everything else lives in server.ts so the launcher and tests can start it too.
import { createLogger } from "@crossdock/platform";
import { loadConfig, start } from "./server.js";

const logger = createLogger("crm");
try {
  const running = await start(loadConfig(process.env));
  logger.info({ url: running.url }, "crm started");
  const shutdown = (): void => {
    void running.stop().finally(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  logger.error({ err: error }, "crm failed to start");
  process.exit(1);
}
