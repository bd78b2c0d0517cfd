// Entry point of the WMS subgraph process: read the config, start, report. It holds no
// logic of its own; everything lives behind start() so the launcher can embed the service.
import { createLogger } from "@crossdock/platform";
import { loadConfig, start } from "./server.js";

const logger = createLogger("wms");

try {
  const running = await start(loadConfig(process.env));
  logger.info({ url: running.url }, "wms ready");
  const shutdown = () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  logger.error({ err: error }, "wms failed to start");
  process.exit(1);
}
