// Starts the whole hub for an end-to-end suite on the chosen backend: PGlite in process, or
// fresh Postgres databases (one per service). Suites use the public GraphQL API only, and call
// it with a token holding every scope unless a test chooses another caller (`token` is it).
import { startHub, type RunningHub } from "@crossdock/launcher";
import { authenticateHub, createTestDatabases, forgetHub, postgresAvailable, testBackends, type Backend } from "../src/index.js";

export type { Backend };

/** The backends the suites that run on both cover in this run (see CROSSDOCK_TEST_BACKENDS). */
export const BACKENDS: Backend[] = testBackends();

const ANY_PORTS = { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 };

export interface TestHub {
  hub: RunningHub;
  url: string;
  /** The services' database URLs on Postgres (suites that check the systems of record in SQL). */
  databaseUrls?: Record<"erp" | "crm" | "wms" | "hub", string>;
  /** The all-scopes token the test clients send to `url` by default. */
  token: string;
  stop(): Promise<void>;
}

export interface TestHubOptions {
  /** The Postgres server the fresh databases go on (default CROSSDOCK_TEST_POSTGRES_URL); the fault suite uses its own. */
  postgresAdminUrl?: string;
}

export async function backendAvailable(backend: Backend): Promise<boolean> {
  return backend === "pglite" ? true : postgresAvailable();
}

export async function startTestHub(backend: Backend, seedScale = 0.05, extraEnv: Record<string, string> = {}, options: TestHubOptions = {}): Promise<TestHub> {
  // The flows engine is opt-in here: older suites play the process layer's part by hand
  // (createFulfillment), and a running engine would race them. Flows suites pass FLOWS_ENABLED=1.
  const env = { ...process.env, LOG_LEVEL: "warn", NODE_ENV: "development", FLOWS_ENABLED: "0", ...extraEnv };
  if (backend === "pglite") {
    const hub = await startHub({ port: 0, subgraphPorts: ANY_PORTS, dataDir: "memory", seedScale, simulate: false, env });
    const token = await authenticateHub(hub);
    return {
      hub,
      url: hub.url,
      token,
      async stop() {
        forgetHub(hub);
        await hub.stop();
      },
    };
  }
  const databases = await createTestDatabases(["erp", "crm", "wms", "hub"] as const, options.postgresAdminUrl);
  try {
    // Postgres runs the production capture: the WAL through logical replication.
    const hub = await startHub({
      port: 0,
      subgraphPorts: ANY_PORTS,
      dataDir: "memory",
      seedScale,
      simulate: false,
      env,
      databaseUrls: databases.urls,
      capture: "pg-logical",
    });
    const token = await authenticateHub(hub);
    return {
      hub,
      url: hub.url,
      databaseUrls: databases.urls,
      token,
      async stop() {
        forgetHub(hub);
        await hub.stop();
        await databases.drop();
      },
    };
  } catch (error) {
    await databases.drop();
    throw error;
  }
}

/** Polls `read` until `done` holds or the timeout passes; returns the last value. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
