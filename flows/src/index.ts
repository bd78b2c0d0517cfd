// Entry point of the flows service as its own process: read config, start, exit 1 on error.
import { loadConfig, start } from "./server.js";

try {
  const flows = await start(loadConfig(process.env));
  const shutdown = () => void flows.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error("flows failed to start:", error);
  process.exit(1);
}
