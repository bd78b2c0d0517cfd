// Load shedding at a real gateway in front of a real subgraph that answers only when the test
// lets it: with the subgraph's calls in flight at the limit, the next operation is answered at
// once with 503, Retry-After and OVERLOADED (while the others still wait), and the operations
// in flight complete with their data once the subgraph answers.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeSupergraph } from "@crossdock/schema";
import { createLogger, createServiceMetrics, startSubgraphServer, type RunningServer } from "@crossdock/platform";
import { fetchMetrics, metricSum } from "@crossdock/test";
import { loadConfig, start, type RunningGateway } from "../src/server.js";

const SECRET = "overload-test-principal-secret";
const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { slow(n: Int!): Int! quick: String! }
`;

let subgraph: RunningServer;
let gateway: RunningGateway;
let dir: string;
const held: (() => void)[] = [];
let entered: () => void = () => undefined;

beforeAll(async () => {
  subgraph = await startSubgraphServer({
    name: "slow",
    typeDefs: SDL,
    resolvers: {
      Query: {
        slow: (_: unknown, args: { n: number }) =>
          new Promise<number>((resolve) => {
            held.push(() => resolve(args.n));
            entered();
          }),
        quick: () => "here",
      },
    },
    port: 0,
    logger: createLogger("slow", "silent"),
    metrics: createServiceMetrics("slow"),
    principalSecret: SECRET,
    createContext: (base) => base,
  });
  dir = mkdtempSync(join(tmpdir(), "crossdock-overload-"));
  writeFileSync(join(dir, "slow.graphql"), SDL);
  const composed = composeSupergraph([{ name: "slow", sdlPath: "slow.graphql" }], dir);
  if (!composed.ok) throw new Error(composed.errors.join("\n"));
  writeFileSync(join(dir, "supergraph.graphql"), composed.supergraphSdl);
  const loaded = loadConfig({ NODE_ENV: "development", LOG_LEVEL: "silent" });
  gateway = await start({
    ...loaded,
    port: 0,
    host: "127.0.0.1",
    supergraphPath: join(dir, "supergraph.graphql"),
    subgraphUrls: { slow: subgraph.url },
    principalSecret: SECRET,
    overload: { maxConcurrentPerSubgraph: 2, retryAfterSeconds: 3 },
  });
});

afterAll(async () => {
  for (const release of held.splice(0)) release();
  await gateway?.stop();
  await subgraph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function post(query: string): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
}

describe("load shedding per subgraph", () => {
  it("answers 503 OVERLOADED with Retry-After at once while the subgraph's calls are at the limit", async () => {
    const bothEntered = new Promise<void>((resolve) => (entered = () => held.length === 2 && resolve()));
    const first = post(`{ slow(n: 1) }`);
    const second = post(`{ slow(n: 2) }`);
    await bothEntered;
    let inFlightDone = false;
    void Promise.all([first, second]).then(() => (inFlightDone = true));

    const shed = await post(`{ quick }`);
    expect(inFlightDone).toBe(false);
    expect(shed.status).toBe(503);
    expect(shed.retryAfter).toBe("3");
    expect(shed.body.errors[0].extensions).toMatchObject({ code: "OVERLOADED", retryAfterSeconds: 3 });
    expect(metricSum(await fetchMetrics(gateway.url), "crossdock_subgraph_calls_shed_total", { subgraph: "slow" })).toBe(1);
    expect(metricSum(await fetchMetrics(gateway.url), "crossdock_subgraph_calls_in_flight", { subgraph: "slow" })).toBe(2);

    for (const release of held.splice(0)) release();
    expect(await first).toMatchObject({ status: 200, body: { data: { slow: 1 } } });
    expect(await second).toMatchObject({ status: 200, body: { data: { slow: 2 } } });
    // Below the limit again: operations run.
    expect(await post(`{ quick }`)).toMatchObject({ status: 200, retryAfter: null, body: { data: { quick: "here" } } });
    expect(metricSum(await fetchMetrics(gateway.url), "crossdock_subgraph_calls_in_flight", { subgraph: "slow" })).toBe(0);
  });
});
