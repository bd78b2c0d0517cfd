// Trusted documents at a real gateway (real HTTP and WebSocket servers on port 0) in front of a
// small real subgraph that echoes its caller and keeps one writable value: operations by id and
// by listed body run, unlisted ones are refused under enforce (and change nothing) or run and
// are counted under log, explorers (graph:explore) are exempt, the manifest reloads from its file
// without a restart and a malformed one is refused with its reason while the old one stays.
import { once } from "node:events";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import pino from "pino";
import { composeSupergraph } from "@crossdock/schema";
import { ConfigError, createLogger, createServiceMetrics, ROLE_SCOPES, startSubgraphServer, type Principal, type RunningServer } from "@crossdock/platform";
import {
  createDevIssuer,
  loadConfig,
  MANIFEST_FORMAT,
  operationId,
  parseManifest,
  start,
  type DevIssuer,
  type GatewayConfig,
  type RunningGateway,
} from "../src/server.js";
import { createTrustedDocuments } from "../src/persistedOperations/trustedDocuments.js";
import { listOf, type PersistedOperation } from "../src/persistedOperations/index.js";

const SECRET = "persisted-test-principal-secret";
const CALLER_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Caller { subject: String! kind: String! }
type Query { caller: Caller! limit: Int! }
type Mutation { setLimit(value: Int!): Int! }
`;

const CALLER = "query Caller { caller { subject kind } }";
const LIMIT = "query Limit { limit }";
const LATER = "query Later { limit caller { subject } }";
const UNLISTED = "query Unlisted { caller { subject } limit }";
const SET_LIMIT = "mutation SetLimit { setLimit(value: 7) }";

let subgraph: RunningServer;
let enforced: RunningGateway;
let logged: RunningGateway;
let issuer: DevIssuer;
let dir: string;
let manifestPath: string;
let limit = 100;
let baseConfig: GatewayConfig;

interface Listed {
  name: string;
  type: "query" | "mutation" | "subscription";
  body: string;
}

function manifestText(operations: Listed[]): string {
  return JSON.stringify({ format: MANIFEST_FORMAT, version: 1, operations: operations.map((op) => ({ id: operationId(op.body), ...op })) }, null, 2);
}

/** Replaces the manifest as a deploy does: a new file renamed over the old one. */
function deployManifest(text: string): void {
  const staged = `${manifestPath}.next`;
  writeFileSync(staged, text);
  renameSync(staged, manifestPath);
}

const LISTED: Listed[] = [
  { name: "Caller", type: "query", body: CALLER },
  { name: "Limit", type: "query", body: LIMIT },
];

beforeAll(async () => {
  subgraph = await startSubgraphServer({
    name: "caller",
    typeDefs: CALLER_SDL,
    resolvers: {
      Query: { caller: (_: unknown, __: unknown, ctx: { principal: Principal }) => ctx.principal, limit: () => limit },
      Mutation: { setLimit: (_: unknown, args: { value: number }) => (limit = args.value) },
    },
    port: 0,
    logger: createLogger("caller", "silent"),
    metrics: createServiceMetrics("caller"),
    principalSecret: SECRET,
    createContext: (base) => base,
  });
  dir = mkdtempSync(join(tmpdir(), "crossdock-persisted-"));
  writeFileSync(join(dir, "caller.graphql"), CALLER_SDL);
  const composed = composeSupergraph([{ name: "caller", sdlPath: "caller.graphql" }], dir);
  if (!composed.ok) throw new Error(composed.errors.join("\n"));
  writeFileSync(join(dir, "supergraph.graphql"), composed.supergraphSdl);
  manifestPath = join(dir, "persisted-operations.json");
  writeFileSync(manifestPath, manifestText(LISTED));
  issuer = await createDevIssuer();
  const loaded = loadConfig({ NODE_ENV: "development", LOG_LEVEL: "silent", CROSSDOCK_PERSISTED_OPERATIONS: manifestPath, CROSSDOCK_SAFELIST: "enforce" });
  baseConfig = {
    ...loaded,
    port: 0,
    host: "127.0.0.1",
    supergraphPath: join(dir, "supergraph.graphql"),
    subgraphUrls: { caller: subgraph.url },
    principalSecret: SECRET,
    identity: { ...loaded.identity, jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience },
  };
  enforced = await start(baseConfig);
  logged = await start({ ...baseConfig, persistedOperations: { manifests: [manifestPath], mode: "log" } });
});

afterAll(async () => {
  await enforced?.stop();
  await logged?.stop();
  await subgraph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(payload: Record<string, unknown>, headers: Record<string, string> = {}, url = enforced.url): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(payload) });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const byId = (body: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: operationId(body) } } });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** A caller without graph:explore: held to the list. */
const warehouseToken = () => issuer.issueToken({ subject: "wanda", scopes: [...ROLE_SCOPES.warehouse] });
const analystToken = () => issuer.issueToken({ subject: "ana", scopes: [...ROLE_SCOPES.analyst] });
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

async function unlistedCount(gateway: RunningGateway, outcome: string, transport = "http"): Promise<number> {
  const text = await (await fetch(gateway.url.replace(/\/graphql$/, "/metrics"))).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith("crossdock_unlisted_operations_total{") && l.includes(`outcome="${outcome}"`) && l.includes(`transport="${transport}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** Polls until `read` gives a value `done` accepts (at most 10 s); returns the last value. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

describe("trusted documents under enforce", () => {
  it("runs a listed operation by id (no body) and by its body", async () => {
    const token = bearer(await warehouseToken());
    const viaId = await send(byId(CALLER), token);
    expect(viaId.status).toBe(200);
    expect(viaId.body).toEqual({ data: { caller: { subject: "wanda", kind: "user" } } });
    const viaBody = await send({ query: CALLER }, token);
    expect(viaBody.body).toEqual({ data: { caller: { subject: "wanda", kind: "user" } } });
    // Apollo Client's retry after PERSISTED_QUERY_NOT_FOUND sends the body with its hash.
    expect((await send({ query: LIMIT, ...byId(LIMIT) }, token)).body).toEqual({ data: { limit: 100 } });
  });

  it("refuses an unlisted query or mutation with PERSISTED_QUERY_NOT_IN_LIST and runs nothing", async () => {
    const token = bearer(await warehouseToken());
    const refusedBefore = await unlistedCount(enforced, "refused");
    for (const headers of [token, {}]) {
      const query = await send({ query: UNLISTED }, headers);
      expect(query.status).toBe(400);
      expect(codeOf(query)).toBe("PERSISTED_QUERY_NOT_IN_LIST");
      expect(query.body.data).toBeUndefined();
      const mutation = await send({ query: SET_LIMIT }, headers);
      expect(codeOf(mutation)).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    }
    expect(limit).toBe(100);
    expect((await send(byId(LIMIT), token)).body.data).toEqual({ limit: 100 });
    expect(await unlistedCount(enforced, "refused")).toBe(refusedBefore + 4);
  });

  it("lets an analyst (graph:explore) send free-form operations, and counts them", async () => {
    const before = await unlistedCount(enforced, "explorer");
    const answer = await send({ query: UNLISTED }, bearer(await analystToken()));
    expect(answer.body).toEqual({ data: { caller: { subject: "ana" }, limit: 100 } });
    expect(await unlistedCount(enforced, "explorer")).toBe(before + 1);
  });

  it("answers an unknown id with PERSISTED_QUERY_NOT_FOUND, and a bad extension with BAD_USER_INPUT", async () => {
    const token = bearer(await warehouseToken());
    const unknown = await send(byId("query Nobody { limit }"), token);
    expect(unknown.status).toBe(200);
    expect(codeOf(unknown)).toBe("PERSISTED_QUERY_NOT_FOUND");
    expect(unknown.body.data).toBeUndefined();
    const mismatched = await send({ query: SET_LIMIT, ...byId(LIMIT) }, token);
    expect(codeOf(mismatched)).toBe("BAD_USER_INPUT");
    const version2 = await send({ extensions: { persistedQuery: { version: 2, sha256Hash: operationId(LIMIT) } } }, token);
    expect(codeOf(version2)).toBe("BAD_USER_INPUT");
    expect(limit).toBe(100);
  });

  it("holds graphql-ws operations to the same list: ids run, unlisted bodies and subscriptions are refused", async () => {
    const socket = new WebSocket(enforced.url.replace(/^http/, "ws"), "graphql-transport-ws");
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    await once(socket, "open");
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${await warehouseToken()}` } }));
    const reply = async (id: string) => {
      const found = await eventually(async () => messages.find((m) => m.id === id && m.type !== "complete"), Boolean);
      return found as { type: string; payload: any };
    };
    await eventually(async () => messages.some((m) => m.type === "connection_ack"), Boolean);
    const subscribe = (id: string, payload: Record<string, unknown>) => socket.send(JSON.stringify({ id, type: "subscribe", payload }));
    const before = await unlistedCount(enforced, "refused", "ws");
    subscribe("listed", { query: "", ...byId(CALLER) });
    expect((await reply("listed")).payload).toEqual({ data: { caller: { subject: "wanda", kind: "user" } } });
    subscribe("unlisted", { query: SET_LIMIT });
    const refused = await reply("unlisted");
    expect(refused.type).toBe("error");
    expect(refused.payload[0].extensions.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    subscribe("subscription", { query: "subscription Watch { limitChanged }" });
    const subscription = await reply("subscription");
    expect(subscription.type).toBe("error");
    expect(subscription.payload[0].extensions.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    subscribe("unknown", { query: "", ...byId("subscription Nobody { limitChanged }") });
    expect((await reply("unknown")).payload[0].extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    socket.close();
    expect(limit).toBe(100);
    // Counted once each, by the transport (Apollo's plugin does not count the ws query again).
    expect(await unlistedCount(enforced, "refused", "ws")).toBe(before + 2);
  });

  it("refuses an unlisted subscription over SSE before parsing it", async () => {
    const response = await fetch(enforced.url, {
      method: "POST",
      headers: { accept: "text/event-stream", "content-type": "application/json", ...bearer(await warehouseToken()) },
      body: JSON.stringify({ query: "subscription Watch { limitChanged }" }),
    });
    const text = await response.text();
    expect(text).toContain("PERSISTED_QUERY_NOT_IN_LIST");
    expect(text).not.toContain("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("trusted documents under log", () => {
  it("runs an unlisted operation and counts it", async () => {
    const token = bearer(await warehouseToken());
    const before = await unlistedCount(logged, "ran");
    const answer = await send({ query: UNLISTED }, token, logged.url);
    expect(answer.body).toEqual({ data: { caller: { subject: "wanda" }, limit: 100 } });
    expect(await unlistedCount(logged, "ran")).toBe(before + 1);
    // A listed operation is not counted.
    expect((await send({ query: CALLER }, token, logged.url)).body.data.caller.subject).toBe("wanda");
    expect(await unlistedCount(logged, "ran")).toBe(before + 1);
  });

  it("logs an unlisted operation with its id, name and caller (never its text)", () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const documents = createTrustedDocuments({
      mode: "log",
      operations: () => listOf((parseManifest(manifestText(LISTED)) as { ok: true; operations: PersistedOperation[] }).operations),
      logger: pino({ level: "info" }, sink),
      registry: createServiceMetrics("persisted-log-test").registry,
    });
    const principal: Principal = { kind: "user", subject: "wanda", scopes: [...ROLE_SCOPES.warehouse] };
    expect(documents.admit({ query: UNLISTED, operationName: "Unlisted" }, principal, "http")).toEqual({ ok: true, query: UNLISTED });
    expect(documents.admit({ query: CALLER }, principal, "http")).toEqual({ ok: true, query: CALLER });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ id: operationId(UNLISTED), operationName: "Unlisted", subject: "wanda", transport: "http", mode: "log" });
    expect(JSON.stringify(lines[0])).not.toContain("caller { subject }");
  });
});

describe("the manifest", () => {
  it("refuses malformed manifests with their reason", () => {
    const good = { id: operationId(LIMIT), name: "Limit", type: "query", body: LIMIT };
    const reasonOf = (value: unknown) => {
      const result = parseManifest(typeof value === "string" ? value : JSON.stringify(value));
      return result.ok ? "loaded" : result.reason;
    };
    expect(reasonOf("{ not json")).toMatch(/not JSON/);
    expect(reasonOf({ format: "something-else", version: 1, operations: [good] })).toMatch(/format/);
    expect(reasonOf({ format: MANIFEST_FORMAT, version: 2, operations: [good] })).toMatch(/version/);
    expect(reasonOf({ format: MANIFEST_FORMAT, version: 1, operations: [{ ...good, body: SET_LIMIT }] })).toMatch(/not the sha256 of its body/);
    expect(reasonOf({ format: MANIFEST_FORMAT, version: 1, operations: [good, { ...good, body: SET_LIMIT }] })).toMatch(/listed twice with different bodies/);
    expect(reasonOf({ format: MANIFEST_FORMAT, version: 1, operations: [{ ...good, type: "fragment" }] })).toMatch(/type/);
    expect(reasonOf({ format: MANIFEST_FORMAT, version: 1, operations: [good, good] })).toBe("loaded");
  });

  it("reloads when the file changes, without a restart, and keeps the old list when the new one is malformed", async () => {
    const token = bearer(await warehouseToken());
    expect(codeOf(await send(byId(LATER), token))).toBe("PERSISTED_QUERY_NOT_FOUND");
    deployManifest(manifestText([...LISTED, { name: "Later", type: "query", body: LATER }]));
    const picked = await eventually(
      () => send(byId(LATER), token),
      (answer) => answer.body.data !== undefined,
    );
    expect(picked.body).toEqual({ data: { limit: 100, caller: { subject: "wanda" } } });

    // Malformed: refused with the reason; every operation listed before still runs, nothing new does.
    writeFileSync(manifestPath, manifestText([{ name: "Unlisted", type: "query", body: UNLISTED }]).replace(operationId(UNLISTED), operationId(LIMIT)));
    const refused = await enforced.reloadPersistedOperations();
    expect(refused).toEqual({ loaded: false, reason: expect.stringMatching(/not the sha256 of its body/) });
    expect((await send(byId(LATER), token)).body.data).toEqual({ limit: 100, caller: { subject: "wanda" } });
    expect(codeOf(await send({ query: UNLISTED }, token))).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    writeFileSync(manifestPath, "{ broken");
    expect(await enforced.reloadPersistedOperations()).toEqual({ loaded: false, reason: expect.stringMatching(/not JSON/) });
    expect((await send(byId(CALLER), token)).body.data.caller.subject).toBe("wanda");

    // SIGHUP rereads it too: back to the first list, so Later is gone again.
    writeFileSync(manifestPath, manifestText(LISTED));
    process.emit("SIGHUP", "SIGHUP");
    const dropped = await eventually(
      () => send(byId(LATER), token),
      (answer) => codeOf(answer) === "PERSISTED_QUERY_NOT_FOUND",
    );
    expect(codeOf(dropped)).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("serves one list from several manifests (CROSSDOCK_PERSISTED_OPERATIONS=a.json,b.json)", async () => {
    const extra = join(dir, "first-party.json");
    writeFileSync(extra, manifestText([{ name: "Unlisted", type: "query", body: UNLISTED }]));
    expect(loadConfig({ CROSSDOCK_PERSISTED_OPERATIONS: ` ${manifestPath}, ${extra} ` }).persistedOperations.manifests).toEqual([manifestPath, extra]);
    const both = await start({ ...baseConfig, persistedOperations: { manifests: [manifestPath, extra], mode: "enforce" } });
    try {
      const token = bearer(await warehouseToken());
      expect((await send(byId(UNLISTED), token, both.url)).body.data).toEqual({ caller: { subject: "wanda" }, limit: 100 });
      expect((await send({ query: CALLER }, token, both.url)).body.data.caller.subject).toBe("wanda");
      writeFileSync(extra, "[]");
      expect(await both.reloadPersistedOperations()).toEqual({ loaded: false, reason: `${extra}: not a JSON object` });
      expect((await send(byId(UNLISTED), token, both.url)).body.data.limit).toBe(100);
    } finally {
      await both.stop();
    }
  });

  it("refuses to start with a manifest that does not load, and configuration it cannot honour", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ format: MANIFEST_FORMAT, version: 3, operations: [] }));
    await expect(start({ ...baseConfig, persistedOperations: { manifests: [bad], mode: "enforce" } })).rejects.toThrow(/version is 3/);
    expect(() => loadConfig({ CROSSDOCK_SAFELIST: "strict", CROSSDOCK_PERSISTED_OPERATIONS: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ CROSSDOCK_SAFELIST: "enforce" })).toThrow(/needs a manifest/);
    expect(loadConfig({}).persistedOperations).toEqual({ manifests: [], mode: "off" });
    const production = {
      NODE_ENV: "production",
      CROSSDOCK_PRINCIPAL_SECRET: "s",
      CROSSDOCK_SERVICE_TOKEN: "t",
      CROSSDOCK_JWKS: "https://idp.example/jwks.json",
    };
    const identity = { CROSSDOCK_JWT_ISSUER: "https://idp.example/", CROSSDOCK_JWT_AUDIENCE: "crossdock" };
    expect(loadConfig({ ...production, ...identity, CROSSDOCK_PERSISTED_OPERATIONS: bad }).persistedOperations.mode).toBe("enforce");
  });
});
