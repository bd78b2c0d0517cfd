// Entry point of cdc-ingest as its own process: read config, start, exit 1 on error.
import { loadConfig, start } from "./server.js";

try {
  const ingest = await start(loadConfig(process.env));
  const shutdown = () => void ingest.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error("cdc-ingest failed to start:", error);
  process.exit(1);
}
