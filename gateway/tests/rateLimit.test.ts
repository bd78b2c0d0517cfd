// Rate limits per caller at a real gateway (HTTP and WebSocket servers on port 0) in front of a
// small real subgraph with one counter to bump: a caller over its rate gets 429, Retry-After and
// RATE_LIMITED and bumps nothing, while other callers go on; anonymous callers are limited per
// address; buckets refill with time (an injected clock); graphql-ws refuses the operation and
// keeps the socket; SSE starts count; the flows are not held to the callers' rate.
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { composeSupergraph } from "@crossdock/schema";
import { createLogger, createServiceMetrics, ROLE_SCOPES, startSubgraphServer, type RunningServer } from "@crossdock/platform";
import { createDevIssuer, DEV_SERVICE_TOKEN, loadConfig, start, type DevIssuer, type GatewayConfig, type RunningGateway } from "../src/server.js";
import { MemoryBuckets } from "../src/rateLimit/index.js";
import { takeToken } from "../src/rateLimit/tokenBucket.js";
import { clientAddressOf } from "../src/rateLimit/callerKey.js";

const SECRET = "rate-limit-test-principal-secret";
const COUNTER_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { bumps: Int! }
type Mutation { bump: Int! }
`;
/** Six a minute (one token every 10 s), three at once. */
const POLICY = { perMinute: 6, burst: 3 };

let subgraph: RunningServer;
let gateway: RunningGateway;
let issuer: DevIssuer;
let dir: string;
let bumps = 0;
let clock = Date.now();
const buckets = new MemoryBuckets({ now: () => clock });

beforeAll(async () => {
  subgraph = await startSubgraphServer({
    name: "counter",
    typeDefs: COUNTER_SDL,
    resolvers: { Query: { bumps: () => bumps }, Mutation: { bump: () => ++bumps } },
    port: 0,
    logger: createLogger("counter", "silent"),
    metrics: createServiceMetrics("counter"),
    principalSecret: SECRET,
    createContext: (base) => base,
  });
  dir = mkdtempSync(join(tmpdir(), "crossdock-rate-limit-"));
  writeFileSync(join(dir, "counter.graphql"), COUNTER_SDL);
  const composed = composeSupergraph([{ name: "counter", sdlPath: "counter.graphql" }], dir);
  if (!composed.ok) throw new Error(composed.errors.join("\n"));
  writeFileSync(join(dir, "supergraph.graphql"), composed.supergraphSdl);
  issuer = await createDevIssuer();
  const loaded = loadConfig({
    NODE_ENV: "development",
    LOG_LEVEL: "silent",
    CROSSDOCK_RATE_LIMIT_PER_MINUTE: String(POLICY.perMinute),
    CROSSDOCK_RATE_LIMIT_BURST: String(POLICY.burst),
    // One proxy in front: the test plays it, so X-Forwarded-For names the client.
    CROSSDOCK_TRUSTED_PROXY_HOPS: "1",
  });
  const config: GatewayConfig = {
    ...loaded,
    port: 0,
    host: "127.0.0.1",
    supergraphPath: join(dir, "supergraph.graphql"),
    subgraphUrls: { counter: subgraph.url },
    principalSecret: SECRET,
    identity: { ...loaded.identity, jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience },
  };
  gateway = await start(config, { rateLimitBuckets: buckets });
});

afterAll(async () => {
  await gateway?.stop();
  await subgraph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[] };
}

async function post(query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Answer["body"] };
}

let subjects = 0;
/** A fresh user each test, so tests do not share buckets. */
async function newUser(): Promise<Record<string, string>> {
  const token = await issuer.issueToken({ subject: `user-${++subjects}`, scopes: [...ROLE_SCOPES.analyst] });
  return { authorization: `Bearer ${token}` };
}
const from = (address: string) => ({ "x-forwarded-for": address });

describe("the token bucket", () => {
  it("refills by elapsed time up to the burst and refuses without taking", () => {
    const start = Date.now();
    let bucket = takeToken(undefined, start, POLICY).bucket;
    expect(bucket.tokens).toBe(2);
    bucket = takeToken(bucket, start, POLICY).bucket;
    bucket = takeToken(bucket, start, POLICY).bucket;
    const refused = takeToken(bucket, start + 4000, POLICY);
    // 0.4 of a token back after 4 s: 6 s to go.
    expect(refused.decision).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 6 });
    expect(refused.bucket.tokens).toBeCloseTo(0.4);
    expect(takeToken(refused.bucket, start + 10_000, POLICY).decision.allowed).toBe(true);
    // An hour idle is a full bucket, not 360 tokens.
    expect(takeToken(bucket, start + 3_600_000, POLICY).decision.remaining).toBe(POLICY.burst - 1);
  });

  it("reads the client from the trusted hops of X-Forwarded-For only", () => {
    const req = (forwarded: string | undefined, peer: string) =>
      ({ headers: forwarded ? { "x-forwarded-for": forwarded } : {}, socket: { remoteAddress: peer } }) as never;
    expect(clientAddressOf(req("6.6.6.6", "::ffff:10.0.0.1"), 0)).toBe("10.0.0.1");
    // A caller wrote 6.6.6.6; the one proxy appended the address it saw.
    expect(clientAddressOf(req("6.6.6.6, 203.0.113.7", "10.0.0.1"), 1)).toBe("203.0.113.7");
    expect(clientAddressOf(req(undefined, "10.0.0.1"), 1)).toBe("10.0.0.1");
  });
});

describe("rate limits at the gateway", () => {
  it("answers a caller over its rate 429 with Retry-After and RATE_LIMITED, runs nothing, and leaves other callers alone", async () => {
    const [ana, bob] = [await newUser(), await newUser()];
    for (let i = 0; i < POLICY.burst; i++) expect((await post("mutation { bump }", ana)).status).toBe(200);
    const before = bumps;
    const refused = await post("mutation { bump }", ana);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(10);
    expect(refused.body.errors).toEqual([
      { message: expect.stringContaining("Rate limit exceeded"), extensions: { code: "RATE_LIMITED", retryAfterSeconds: Number(refused.retryAfter) } },
    ]);
    expect(bumps).toBe(before);
    const other = await post("mutation { bump }", bob);
    expect(other.status).toBe(200);
    expect(other.body.data.bump).toBe(before + 1);
  });

  it("lets the caller in again once its bucket has refilled", async () => {
    const ana = await newUser();
    for (let i = 0; i < POLICY.burst; i++) await post("{ bumps }", ana);
    const refused = await post("{ bumps }", ana);
    expect(refused.status).toBe(429);
    clock += (Number(refused.retryAfter) - 1) * 1000;
    expect((await post("{ bumps }", ana)).status).toBe(429);
    clock += 1000;
    expect((await post("{ bumps }", ana)).status).toBe(200);
    expect((await post("{ bumps }", ana)).status).toBe(429);
  });

  it("limits anonymous callers per client address", async () => {
    for (let i = 0; i < POLICY.burst; i++) expect((await post("{ bumps }", from("198.51.100.1"))).status).toBe(200);
    expect((await post("{ bumps }", from("198.51.100.1"))).status).toBe(429);
    expect((await post("{ bumps }", from("198.51.100.2"))).status).toBe(200);
    // Refused credentials count against the address too: guessing tokens is limited.
    expect((await post("{ bumps }", { ...from("198.51.100.1"), authorization: "Bearer not-a-token" })).status).toBe(429);
    expect((await post("{ bumps }", { ...from("198.51.100.3"), authorization: "Bearer not-a-token" })).status).toBe(401);
  });

  it("keys users by subject, not by address", async () => {
    const ana = await newUser();
    for (let i = 0; i < POLICY.burst; i++) await post("{ bumps }", { ...ana, ...from(`192.0.2.${i + 1}`) });
    expect((await post("{ bumps }", { ...ana, ...from("192.0.2.99") })).status).toBe(429);
  });

  it("holds the flows (a service principal) to the services' setting, off by default", async () => {
    for (let i = 0; i < POLICY.burst * 3; i++) expect((await post("{ bumps }", { authorization: `Bearer ${DEV_SERVICE_TOKEN}` })).status).toBe(200);
  });

  it("counts SSE subscription starts at the HTTP door", async () => {
    const ana = await newUser();
    for (let i = 0; i < POLICY.burst; i++) await post("{ bumps }", ana);
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...ana },
      body: JSON.stringify({ query: "subscription { never }" }),
    });
    expect(response.status).toBe(429);
    expect(((await response.json()) as Answer["body"]).errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });

  it("refuses a graphql-ws operation over the rate with RATE_LIMITED and keeps the socket open", async () => {
    const ana = await newUser();
    const socket = new WebSocket(gateway.url.replace(/^http/, "ws"), "graphql-transport-ws");
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    await once(socket, "open");
    const answerTo = async (id: string) => {
      socket.send(JSON.stringify({ id, type: "subscribe", payload: { query: "mutation { bump }" } }));
      await expect.poll(() => messages.find((m) => m.id === id && m.type !== "complete")).toBeDefined();
      return messages.find((m) => m.id === id && m.type !== "complete");
    };
    socket.send(JSON.stringify({ type: "connection_init", payload: ana }));
    await expect.poll(() => messages.some((m) => m.type === "connection_ack")).toBe(true);
    for (let i = 0; i < POLICY.burst; i++) expect((await answerTo(`ok-${i}`)).type).toBe("next");
    const before = bumps;
    const refused = await answerTo("over");
    expect(refused).toMatchObject({ type: "error", payload: [{ extensions: { code: "RATE_LIMITED" } }] });
    expect(refused.payload[0].extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(bumps).toBe(before);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    clock += 10_000;
    expect(await answerTo("after-refill")).toMatchObject({ type: "next", payload: { data: { bump: before + 1 } } });
    socket.close();
  });
});

describe("rate-limit settings", () => {
  it("are off in development and 600 a minute (burst 100) per caller in production, services exempt", () => {
    expect(loadConfig({ NODE_ENV: "development" }).rateLimit.callers.perMinute).toBe(0);
    const production = loadConfig({
      NODE_ENV: "production",
      CROSSDOCK_JWKS: "/jwks.json",
      CROSSDOCK_JWT_ISSUER: "urn:x",
      CROSSDOCK_JWT_AUDIENCE: "x",
      CROSSDOCK_SERVICE_TOKEN: "secret",
      CROSSDOCK_PRINCIPAL_SECRET: "s".repeat(32),
    }).rateLimit;
    expect(production).toEqual({ callers: { perMinute: 600, burst: 100 }, services: { perMinute: 0, burst: 1 }, trustedProxyHops: 0 });
  });
});
