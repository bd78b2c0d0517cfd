// Entry point of the gateway as its own process: read config, start, exit 1 on error.
import { loadConfig, start } from "./server.js";

try {
  const gateway = await start(loadConfig(process.env));
  const shutdown = () => void gateway.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error("gateway failed to start:", error);
  process.exit(1);
}
