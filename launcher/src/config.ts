// Configuration of the embedded hub behind `npm start`: where the data lives, how much demo
// data to seed, whether the simulator runs. Each service still reads its own variables.
import { resolve } from "node:path";
import { envBool, envNumber, envString } from "@crossdock/platform";

export interface HubConfig {
  dataDir: string;
  seedScale: number;
  simulate: boolean;
  /** Simulated business actions per second when simulate is on. */
  simulateRate: number;
  /**
   * The gateway calls the subgraphs, and the flows call the gateway, as functions in this process
   * rather than over loopback HTTP (same requests, headers and pipelines). Off: over HTTP, as
   * separate processes do.
   */
  inProcessCalls: boolean;
}

export function loadHubConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  return {
    dataDir: resolve(envString(env, "CROSSDOCK_DATA_DIR", "./.crossdock")),
    seedScale: envNumber(env, "CROSSDOCK_SEED_SCALE", 1),
    simulate: envBool(env, "CROSSDOCK_SIMULATE", true),
    simulateRate: envNumber(env, "CROSSDOCK_SIMULATE_RATE", 0.5),
    inProcessCalls: envBool(env, "CROSSDOCK_IN_PROCESS_CALLS", true),
  };
}
