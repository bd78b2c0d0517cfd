// The ops console at a real gateway: with its files missing (a release built without the console)
// the gateway still starts and answers /graphql, and /console answers 503 with a one-line reason
// naming what is missing; with the files there it serves them, and an unknown one is 404.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeSupergraph } from "@crossdock/schema";
import { createLogger, createServiceMetrics, startSubgraphServer, type RunningServer } from "@crossdock/platform";
import { loadConfig, start, type RunningGateway } from "../src/server.js";

const SECRET = "console-pages-test-principal-secret";
const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { quick: String! }
`;

let subgraph: RunningServer;
let dir: string;
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  subgraph = await startSubgraphServer({
    name: "plain",
    typeDefs: SDL,
    resolvers: { Query: { quick: () => "here" } },
    port: 0,
    logger: createLogger("plain", "silent"),
    metrics: createServiceMetrics("plain"),
    principalSecret: SECRET,
    createContext: (base) => base,
  });
  dir = mkdtempSync(join(tmpdir(), "crossdock-console-pages-"));
  writeFileSync(join(dir, "plain.graphql"), SDL);
  const composed = composeSupergraph([{ name: "plain", sdlPath: "plain.graphql" }], dir);
  if (!composed.ok) throw new Error(composed.errors.join("\n"));
  writeFileSync(join(dir, "supergraph.graphql"), composed.supergraphSdl);
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await subgraph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startGateway(consoleDir: string): Promise<RunningGateway> {
  const gateway = await start({
    ...loadConfig({ NODE_ENV: "development", LOG_LEVEL: "silent" }),
    port: 0,
    host: "127.0.0.1",
    supergraphPath: join(dir, "supergraph.graphql"),
    subgraphUrls: { plain: subgraph.url },
    principalSecret: SECRET,
    console: { dir: consoleDir },
  });
  gateways.push(gateway);
  return gateway;
}

const consoleUrl = (gateway: RunningGateway, path = "") => gateway.url.replace(/\/graphql$/, `/console${path}`);

describe("the ops console at the gateway", () => {
  it("starts without a built console: /console answers 503 with the reason, /graphql works", async () => {
    const missing = join(dir, "not-built");
    const gateway = await startGateway(missing);
    for (const path of ["", "/", "/app.js"]) {
      const response = await fetch(consoleUrl(gateway, path));
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text.trim().split("\n")).toHaveLength(1);
      expect(text).toContain(`the console is not built: ${join(missing, "index.html")} is missing`);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const answer = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ quick }" }) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { quick: "here" } });
  });

  it("serves the built files and answers 404 for anything else under /console", async () => {
    const built = join(dir, "built");
    mkdirSync(built);
    writeFileSync(join(built, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(built, "app.js"), "export {};");
    writeFileSync(join(built, "console.css"), "body {}");
    const gateway = await startGateway(built);
    const index = await fetch(consoleUrl(gateway));
    expect(index.status).toBe(200);
    expect(await index.text()).toBe("<!doctype html><title>console</title>");
    expect((await fetch(consoleUrl(gateway, "/app.js"))).headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(consoleUrl(gateway, "/other.js"))).status).toBe(404);
  });
});
