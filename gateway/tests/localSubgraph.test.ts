// A subgraph in the gateway's own process (the embedded hub) is called as a function. These tests
// hold its answers to the HTTP call's: the same data, the same caller (a principal signed with the
// wrong secret is as anonymous as over HTTP), the same request id, the same coded rejections, the
// same entity merging; and a hung subgraph fails the call at the deadline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types.js";
import { createLogger, createServiceMetrics, startSubgraphServer, type Principal, type RunningServer } from "@crossdock/platform";
import { CrossdockSubgraphDataSource } from "../src/subgraphDataSource.js";
import type { GatewayContext } from "../src/context.js";

const SECRET = "local-subgraph-test-secret";
const FLOWS: Principal = { kind: "service", subject: "flows", scopes: ["*"] };
const ENTITIES = `query Parcels__x__1($representations: [_Any!]!) { _entities(representations: $representations) { ... on Parcel { code weight } } }`;

let server: RunningServer;
let contexts = 0;
let releaseHung: () => void = () => undefined;

beforeAll(async () => {
  server = await startSubgraphServer({
    name: "parcels",
    typeDefs: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Parcel @key(fields: "code") { code: ID! weight: Int }
      type Caller { subject: String! kind: String! requestId: String! }
      type Query { caller: Caller! heavier(than: Int!): [Parcel!]! hung: String withDefault(n: Int): Int }`,
    resolvers: {
      Query: {
        caller: (_: unknown, __: unknown, ctx: { principal: Principal; requestId: string }) => ({ ...ctx.principal, requestId: ctx.requestId }),
        heavier: (_: unknown, args: { than: number }) => [{ code: "P1", weight: args.than + 1 }],
        hung: () => new Promise<string>((resolve) => (releaseHung = () => resolve("late"))),
        withDefault: (_: unknown, args: { n?: number | null }) => (args.n === undefined ? -1 : args.n),
      },
      Parcel: { __resolveReference: (ref: { code: string }) => ({ code: ref.code, weight: ref.code.length }) },
    },
    port: 0,
    logger: createLogger("parcels", "silent"),
    metrics: createServiceMetrics("parcels"),
    principalSecret: SECRET,
    createContext: (base) => {
      contexts++;
      return base;
    },
  });
});

afterAll(async () => {
  releaseHung();
  await server.stop();
});

function call(query: string, variables: Record<string, unknown> = {}, principal: Principal = FLOWS): GraphQLDataSourceProcessOptions<GatewayContext> {
  const context = { requestId: "req-local-1", principal, logger: createLogger("test", "silent") };
  return {
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request: { query, variables },
    context,
    incomingRequestContext: { context } as never,
  };
}

async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ value }),
    (error: { message: string; extensions?: unknown }) => ({ error: error.message, extensions: error.extensions }),
  );
}

describe("a subgraph called in process", () => {
  it("answers exactly as over HTTP: data, caller, request id, coded rejections", async () => {
    const http = new CrossdockSubgraphDataSource({ name: "parcels", url: server.url, principalSecret: SECRET });
    const local = new CrossdockSubgraphDataSource({ name: "parcels", url: server.url, principalSecret: SECRET, local: server.local });
    const forgedHttp = new CrossdockSubgraphDataSource({ name: "parcels", url: server.url, principalSecret: "not-the-secret" });
    const forgedLocal = new CrossdockSubgraphDataSource({ name: "parcels", url: server.url, principalSecret: "not-the-secret", local: server.local });
    const cases: [string, GraphQLDataSourceProcessOptions<GatewayContext>][] = [
      ["caller", call(`{ caller { subject kind requestId } }`)],
      ["data", call(`query($t: Int!) { heavier(than: $t) { code weight } }`, { t: 4 })],
      // A variable the subgraph cannot coerce: HTTP 400 with a code, passed on as that error.
      ["bad variable", call(`query($t: Int!) { heavier(than: $t) { code } }`, { t: "four" })],
      ["unknown field", call(`{ nope }`)],
      // An undefined variable is absent over HTTP, so its default applies; in process too.
      ["undefined variable", call(`query($n: Int = 5) { withDefault(n: $n) }`, { n: undefined })],
    ];
    for (const [name, options] of cases) {
      const overHttp = await settle(http.process(options));
      const inProcess = await settle(local.process(options));
      expect(inProcess, name).toEqual(overHttp);
    }
    expect(await settle(local.process(cases[0]![1]))).toEqual({ value: { data: { caller: { subject: "flows", kind: "service", requestId: "req-local-1" } } } });
    expect(await settle(local.process(cases[2]![1]))).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(await settle(local.process(cases[4]![1]))).toEqual({ value: { data: { withDefault: 5 } } });
    // Signed with the wrong secret: the subgraph sees no principal at all, whichever way the call came.
    const forged = call(`{ caller { subject kind } }`);
    expect(await settle(forgedLocal.process(forged))).toEqual(await settle(forgedHttp.process(forged)));
    expect(await settle(forgedLocal.process(forged))).toEqual({ value: { data: { caller: { subject: "anonymous", kind: "anonymous" } } } });
    await Promise.all([http.close(), local.close(), forgedHttp.close(), forgedLocal.close()]);
  });

  it("reads header names in any case, as Node's HTTP server does", async () => {
    let header = "";
    // The header the data source would send, captured from an in-process call.
    const capture = new CrossdockSubgraphDataSource({
      name: "parcels",
      url: server.url,
      principalSecret: SECRET,
      local: async (request) => {
        header = request.headers["x-crossdock-principal"] ?? "";
        return server.local(request);
      },
    });
    await capture.process(call(`{ caller { subject } }`));
    const answer = await server.local({
      headers: { "X-Crossdock-Principal": header, "X-Request-Id": "req-upper" },
      body: { query: `{ caller { subject requestId } }` },
    });
    expect(JSON.parse(answer.body)).toEqual({ data: { caller: { subject: "flows", requestId: "req-upper" } } });
    expect(answer.headers["x-request-id"]).toBe("req-upper");
    await capture.close();
  });

  it("merges concurrent entity fetches into one call, as over HTTP", async () => {
    const local = new CrossdockSubgraphDataSource({ name: "parcels", url: server.url, principalSecret: SECRET, local: server.local });
    const fetch = (codes: string[]) => call(ENTITIES, { representations: codes.map((code) => ({ __typename: "Parcel", code })) });
    contexts = 0;
    const [a, b] = await Promise.all([local.process(fetch(["A", "BB"])), local.process(fetch(["CCC"]))]);
    expect(contexts).toBe(1);
    expect(a).toEqual({
      data: {
        _entities: [
          { code: "A", weight: 1 },
          { code: "BB", weight: 2 },
        ],
      },
    });
    expect(b).toEqual({ data: { _entities: [{ code: "CCC", weight: 3 }] } });
    await local.close();
  });

  it("fails a call the subgraph does not answer within the deadline", async () => {
    const local = new CrossdockSubgraphDataSource({ name: "parcels", url: server.url, principalSecret: SECRET, local: server.local, timeoutMs: 150 });
    const started = Date.now();
    await expect(local.process(call(`{ hung }`))).rejects.toThrow(/did not answer within 150 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    releaseHung();
    await local.close();
  });
});
