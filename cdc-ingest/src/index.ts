// Entry point of the change-data-capture ingest (ops subgraph) as its own process; everything lives behind start() in server.ts so
// the launcher and the tests can embed the service.
import { runService } from "@crossdock/platform";
import { loadConfig, start } from "./server.js";

await runService("cdc-ingest", () => start(loadConfig(process.env)));
