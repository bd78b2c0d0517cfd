// Entry point of the gateway as its own process; everything lives behind start() in server.ts so
// the launcher and the tests can embed the service.
import { runService } from "@crossdock/platform";
import { loadConfig, start } from "./server.js";

await runService("gateway", () => start(loadConfig(process.env)));
