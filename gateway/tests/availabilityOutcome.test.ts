// What the gateway's availability SLO counts, at a real gateway in front of real subgraphs: a
// caller's own mistakes (an invalid operation, a FORBIDDEN refusal, bad input) are counted as
// outcome="client_error" and spend no error budget; the hub's own failures (a resolver bug
// masked as INTERNAL_SERVER_ERROR, a subgraph that does not answer) are outcome="error".
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GraphQLFieldResolver } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeSupergraph, crossdockError, ErrorCode } from "@crossdock/schema";
import { createLogger, createServiceMetrics, requestOutcome, startSubgraphServer, type RunningServer } from "@crossdock/platform";
import { fetchMetrics, metricSum } from "@crossdock/test";
import { loadConfig, start, type RunningGateway } from "../src/server.js";

const SECRET = "availability-test-principal-secret";
const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])`;
const STOCK_SDL = `${LINK}
type Query { stock(sku: String!): Int! secret: String! broken: String! }
`;
const PRICES_SDL = `${LINK}
type Query { price(sku: String!): Int! }
`;

let stock: RunningServer;
let prices: RunningServer;
let gateway: RunningGateway;
let dir: string;

function subgraph(name: string, typeDefs: string, resolvers: Record<string, GraphQLFieldResolver<unknown, unknown>>): Promise<RunningServer> {
  return startSubgraphServer({
    name,
    typeDefs,
    resolvers: { Query: resolvers },
    port: 0,
    logger: createLogger(name, "silent"),
    metrics: createServiceMetrics(name),
    principalSecret: SECRET,
    createContext: (base) => base,
  });
}

beforeAll(async () => {
  stock = await subgraph("stock", STOCK_SDL, {
    stock: (_: unknown, args: { sku?: string }) => {
      if (!/^SKU-\d+$/.test(args.sku ?? "")) throw crossdockError(ErrorCode.BAD_USER_INPUT, "sku must look like SKU-123", { field: "sku" });
      return 7;
    },
    secret: () => {
      throw crossdockError(ErrorCode.FORBIDDEN, "not yours");
    },
    broken: () => {
      throw new Error("a bug");
    },
  });
  prices = await subgraph("prices", PRICES_SDL, { price: () => 3 });
  dir = mkdtempSync(join(tmpdir(), "crossdock-availability-"));
  writeFileSync(join(dir, "stock.graphql"), STOCK_SDL);
  writeFileSync(join(dir, "prices.graphql"), PRICES_SDL);
  const composed = composeSupergraph(
    [
      { name: "stock", sdlPath: "stock.graphql" },
      { name: "prices", sdlPath: "prices.graphql" },
    ],
    dir,
  );
  if (!composed.ok) throw new Error(composed.errors.join("\n"));
  writeFileSync(join(dir, "supergraph.graphql"), composed.supergraphSdl);
  const loaded = loadConfig({ NODE_ENV: "development", LOG_LEVEL: "silent" });
  gateway = await start({
    ...loaded,
    port: 0,
    host: "127.0.0.1",
    supergraphPath: join(dir, "supergraph.graphql"),
    subgraphUrls: { stock: stock.url, prices: prices.url },
    principalSecret: SECRET,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await stock?.stop();
  await prices?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(operationName: string, query: string): Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, operationName }),
  });
  return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}

async function outcomes(operation: string): Promise<Record<string, number>> {
  const text = await fetchMetrics(gateway.url);
  const count = (outcome: string) => metricSum(text, "crossdock_graphql_requests_total", { service: "gateway", operation, outcome });
  return { ok: count("ok"), client_error: count("client_error"), error: count("error") };
}

describe("gateway availability outcome", () => {
  it("counts a caller's mistakes as client_error, not against availability", async () => {
    expect(await run("Fine", `query Fine { stock(sku: "SKU-1") }`)).toEqual({ data: { stock: 7 } });
    const invalid = await run("Invalid", `query Invalid { stock(sku: "SKU-1") noSuchField }`);
    expect(invalid.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const refused = await run("Refused", `query Refused { secret }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const badInput = await run("BadInput", `query BadInput { stock(sku: "nonsense") }`);
    expect(badInput.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");

    expect(await outcomes("Fine")).toEqual({ ok: 1, client_error: 0, error: 0 });
    // An operation that fails validation never gets as far as its name: counted as "anonymous".
    expect(await outcomes("anonymous")).toEqual({ ok: 0, client_error: 1, error: 0 });
    expect(await outcomes("Refused")).toEqual({ ok: 0, client_error: 1, error: 0 });
    expect(await outcomes("BadInput")).toEqual({ ok: 0, client_error: 1, error: 0 });
  });

  it("counts a resolver bug and a subgraph that is down as error", async () => {
    const broken = await run("Broken", `query Broken { broken }`);
    expect(broken.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(await run("Price", `query Price { price(sku: "SKU-1") }`)).toEqual({ data: { price: 3 } });

    await prices.stop();
    const down = await run("Price", `query Price { price(sku: "SKU-1") }`);
    expect(down.data ?? null).toBeNull();
    expect(down.errors?.length).toBeGreaterThan(0);

    expect(await outcomes("Broken")).toEqual({ ok: 0, client_error: 0, error: 1 });
    expect(await outcomes("Price")).toEqual({ ok: 1, client_error: 0, error: 1 });
  });

  it("classifies errors by the code the client sees", () => {
    expect(requestOutcome(undefined)).toBe("ok");
    expect(requestOutcome([{ extensions: { code: "UNAUTHENTICATED" } }, { extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }])).toBe("client_error");
    expect(requestOutcome([{ extensions: { code: "RATE_LIMITED" } }])).toBe("client_error");
    expect(requestOutcome([{ extensions: { code: "FORBIDDEN" } }, { extensions: { code: "SERVICE_UNAVAILABLE" } }])).toBe("error");
    expect(requestOutcome([{ extensions: { code: "OVERLOADED" } }])).toBe("error");
    expect(requestOutcome([{}])).toBe("error");
  });
});
