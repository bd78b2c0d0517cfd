// Authentication and transport rules at a real gateway (real HTTP and WebSocket servers on port 0)
// in front of a small real subgraph that echoes its caller and keeps one writable value. Tried as
// an attacker would: forged tokens of every kind are 401 UNAUTHENTICATED and write nothing; a
// good token's principal reaches the subgraph; sockets are checked at connection_init, closed at
// token expiry, refused from foreign origins and for oversized frames; GET and SSE run no query
// or mutation; production refuses to start without its secrets.
import { once } from "node:events";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SignJWT, UnsecuredJWT } from "jose";
import { composeSupergraph } from "@crossdock/schema";
import { ConfigError, createLogger, createServiceMetrics, ROLE_SCOPES, startSubgraphServer, type Principal, type RunningServer } from "@crossdock/platform";
import {
  createDevIssuer,
  DEV_SERVICE_TOKEN,
  FLOWS_PRINCIPAL,
  loadConfig,
  start,
  type DevIssuer,
  type GatewayConfig,
  type RunningGateway,
} from "../src/server.js";

const SECRET = "identity-test-principal-secret";
const ALLOWED_ORIGIN = "https://dashboard.example";
const MAX_BODY = 16 * 1024;
const CALLER_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Caller { subject: String! kind: String! scopes: [String!]! customerNumber: String }
type Query { caller: Caller! limit: Int! }
type Mutation { setLimit(value: Int!): Int! }
`;

let subgraph: RunningServer;
let gateway: RunningGateway;
let issuer: DevIssuer;
let dir: string;
let limit = 100;
let baseConfig: GatewayConfig;

async function startGateway(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  return start({ ...baseConfig, ...overrides });
}

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
  dir = mkdtempSync(join(tmpdir(), "crossdock-identity-"));
  writeFileSync(join(dir, "caller.graphql"), CALLER_SDL);
  const composed = composeSupergraph([{ name: "caller", sdlPath: "caller.graphql" }], dir);
  if (!composed.ok) throw new Error(composed.errors.join("\n"));
  writeFileSync(join(dir, "supergraph.graphql"), composed.supergraphSdl);
  issuer = await createDevIssuer();
  const loaded = loadConfig({ NODE_ENV: "development", LOG_LEVEL: "silent" });
  baseConfig = {
    ...loaded,
    port: 0,
    host: "127.0.0.1",
    supergraphPath: join(dir, "supergraph.graphql"),
    subgraphUrls: { caller: subgraph.url },
    principalSecret: SECRET,
    limits: { ...loaded.limits, maxBodyBytes: MAX_BODY },
    identity: { ...loaded.identity, jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience },
    allowedOrigins: [ALLOWED_ORIGIN],
  };
  gateway = await startGateway();
});

afterAll(async () => {
  await gateway?.stop();
  await subgraph?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(query: string, headers: Record<string, string> = {}, url = gateway.url): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const CALLER = "{ caller { subject kind scopes customerNumber } }";
const analystToken = (extra: Partial<Parameters<DevIssuer["issueToken"]>[0]> = {}) =>
  issuer.issueToken({ subject: "ana", scopes: [...ROLE_SCOPES.analyst], ...extra });

describe("bearer tokens at the gateway", () => {
  it("forwards a verified user's principal to the subgraph", async () => {
    const { status, body } = await post(CALLER, bearer(await analystToken()));
    expect(status).toBe(200);
    expect(body.data.caller).toEqual({ subject: "ana", kind: "user", scopes: [...ROLE_SCOPES.analyst], customerNumber: null });
  });

  it("makes customer_number a partner and client_id = sub a service", async () => {
    const partner = await issuer.issueToken({ subject: "acme-app", scopes: ["orders:read"], kind: "partner", customerNumber: "C-10001" });
    expect((await post(CALLER, bearer(partner))).body.data.caller).toEqual({
      subject: "acme-app",
      kind: "partner",
      scopes: ["orders:read"],
      customerNumber: "C-10001",
    });
    const service = await issuer.issueToken({ subject: "simulator", scopes: [...ROLE_SCOPES.simulatorService], kind: "service" });
    expect((await post(CALLER, bearer(service))).body.data.caller).toMatchObject({ subject: "simulator", kind: "service" });
  });

  it("gives the flows' service token the flowsService scopes, not everything", async () => {
    const { body } = await post(CALLER, bearer(DEV_SERVICE_TOKEN));
    expect(body.data.caller).toEqual({ subject: "flows", kind: "service", scopes: [...ROLE_SCOPES.flowsService], customerNumber: null });
    expect(FLOWS_PRINCIPAL.scopes).not.toContain("*");
  });

  it("treats a caller without credentials as anonymous, with no scopes", async () => {
    expect((await post(CALLER)).body.data.caller).toEqual({ subject: "anonymous", kind: "anonymous", scopes: [], customerNumber: null });
  });

  it("refuses forged, expired and misdirected tokens with 401 UNAUTHENTICATED, and runs nothing", async () => {
    const good = await analystToken();
    const [header, payload, signature] = good.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: "finance:write ops:admin" })).toString("base64url")}.${signature}`;
    const otherKey = await (await createDevIssuer()).issueToken({ subject: "ana", scopes: ["finance:write"] });
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT({ scope: "finance:write" })
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setSubject("ana")
      .setExpirationTime(now + 600)
      .encode();
    const hmac = await new SignJWT({ scope: "finance:write" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setSubject("ana")
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode("a-shared-secret-of-thirty-two-bytes!"));
    const forged: Record<string, string> = {
      "other key": otherKey,
      "alg none": unsigned,
      HS256: hmac,
      // Beyond the 30 s clock tolerance.
      expired: await analystToken({ lifetimeSeconds: -120 }),
      "wrong audience": await analystToken({ audience: "someone-else" }),
      "wrong issuer": await analystToken({ issuer: "https://evil.example" }),
      "tampered payload": tampered,
      "not a JWT": "definitely-not-a-token",
    };
    for (const [name, token] of Object.entries(forged)) {
      const answer = await post(`mutation { setLimit(value: 1) }`, bearer(token));
      expect({ name, status: answer.status, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({ name, status: 401, code: "UNAUTHENTICATED" });
      // The reason is logged, not told.
      expect(answer.body.errors?.[0]?.message).toBe("Unauthorized");
      expect(answer.body.data ?? null).toBeNull();
    }
    expect((await post(`{ limit }`, bearer(good))).body.data.limit).toBe(100);
    expect(limit).toBe(100);
  });

  it("logs why an expired or misdirected token was refused, and tells the caller nothing of it", async () => {
    const logged: { msg?: string; reason?: string; level?: number }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim()) logged.push(JSON.parse(line) as (typeof logged)[number]);
        done();
      },
    });
    const logging = await start({ ...baseConfig, logLevel: "info" }, { logDestination: destination });
    try {
      const refused = {
        expired: { token: await analystToken({ lifetimeSeconds: -120 }), reason: /^ERR_JWT_EXPIRED: "exp" claim/, hidden: /exp|expired/i },
        "wrong audience": {
          token: await analystToken({ audience: "someone-else" }),
          reason: /^ERR_JWT_CLAIM_VALIDATION_FAILED: aud /,
          hidden: /aud|someone-else/i,
        },
      };
      for (const [name, { token, reason, hidden }] of Object.entries(refused)) {
        logged.length = 0;
        const answer = await post(`mutation { setLimit(value: 2) }`, bearer(token), logging.url);
        expect({ name, status: answer.status, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({ name, status: 401, code: "UNAUTHENTICATED" });
        expect(answer.body.errors).toEqual([{ message: "Unauthorized", extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }) }]);
        expect(JSON.stringify(answer.body), name).not.toMatch(hidden);
        await until(() => logged.some((line) => line.msg === "credentials refused"));
        const refusal = logged.find((line) => line.msg === "credentials refused");
        expect(refusal?.reason, name).toMatch(reason);
      }
      expect(limit).toBe(100);
    } finally {
      await logging.stop();
    }
  });

  it("refuses a Basic or malformed Authorization header rather than ignoring it", async () => {
    expect((await post(CALLER, { authorization: "Basic YWxpY2U6c2VjcmV0" })).status).toBe(401);
    expect((await post(CALLER, { authorization: "Bearer" })).status).toBe(401);
  });
});

/** Opens a graphql-transport-ws socket; resolves with the socket and the messages it receives. */
async function openSocket(headers: Record<string, string> = {}): Promise<{ socket: WebSocket; messages: any[] }> {
  const socket = new WebSocket(gateway.url.replace(/^http/, "ws"), "graphql-transport-ws", { headers });
  const messages: any[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data))));
  await once(socket, "open");
  return { socket, messages };
}

/** Polls until `done` holds (at most 10 s). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function closeOf(socket: WebSocket): Promise<{ code: number; reason: string; at: number }> {
  const [code, reason] = (await once(socket, "close")) as [number, Buffer];
  return { code, reason: String(reason), at: Date.now() };
}

describe("WebSocket transport", () => {
  it("refuses a bad token at connection_init with 4401, before any ack", async () => {
    const { socket, messages } = await openSocket();
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${await analystToken({ audience: "someone-else" })}` } }));
    const { code, reason } = await closed;
    expect(code).toBe(4401);
    expect(reason).toBe("Unauthorized");
    expect(messages.filter((m) => m.type === "connection_ack")).toHaveLength(0);
  });

  it("acks a good token and closes the connection with 4403 when the token expires", async () => {
    const { socket, messages } = await openSocket();
    const token = await analystToken({ lifetimeSeconds: 2 });
    const expiresAt = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000;
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
    const { code, at } = await closed;
    expect(messages[0]?.type).toBe("connection_ack");
    expect(code).toBe(4403);
    expect(at).toBeGreaterThanOrEqual(expiresAt);
  });

  it("runs a query over an authenticated socket as the token's principal", async () => {
    const { socket, messages } = await openSocket();
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${await analystToken()}` } }));
    await until(() => messages.some((m) => m.type === "connection_ack"));
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: CALLER } }));
    await until(() => messages.some((m) => m.type === "next"));
    expect(messages.find((m) => m.type === "next")?.payload.data.caller.subject).toBe("ana");
    socket.close();
  });

  it("refuses an upgrade from a foreign Origin, and allows the allowlisted one and non-browser clients", async () => {
    const foreign = new WebSocket(gateway.url.replace(/^http/, "ws"), "graphql-transport-ws", { headers: { origin: "https://evil.example" } });
    const [request, response] = (await once(foreign, "unexpected-response")) as [{ destroy(): void }, { statusCode: number }];
    expect(response.statusCode).toBe(403);
    request.destroy();
    for (const headers of [{ origin: ALLOWED_ORIGIN }, {}] as Record<string, string>[]) {
      const { socket, messages } = await openSocket(headers);
      socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
      await until(() => messages.length > 0);
      expect(messages[0]?.type).toBe("connection_ack");
      socket.close();
    }
  });

  it("closes the socket on a frame larger than the body limit (1009)", async () => {
    const { socket } = await openSocket();
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ type: "connection_init", payload: { padding: "x".repeat(MAX_BODY + 1) } }));
    expect((await closed).code).toBe(1009);
  });
});

describe("cross-site rules", () => {
  const mutation = "mutation { setLimit(value: 1) }";

  it("runs no query or mutation over GET, even with the preflight header and a token", async () => {
    const headers = { "apollo-require-preflight": "true", ...bearer(await analystToken()) };
    for (const query of [mutation, "{ limit }"]) {
      const response = await fetch(`${gateway.url}?query=${encodeURIComponent(query)}`, { headers });
      expect(response.status).toBe(405);
      expect(((await response.json()) as Answer["body"]).errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    }
    expect(limit).toBe(100);
  });

  it("runs no query or mutation over SSE (an EventSource GET, or a POST)", async () => {
    const token = await analystToken();
    const viaGet = await fetch(`${gateway.url}?query=${encodeURIComponent(mutation)}`, { headers: { accept: "text/event-stream" } });
    const getText = await viaGet.text();
    const viaPost = await fetch(gateway.url, {
      method: "POST",
      headers: { accept: "text/event-stream", "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify({ query: mutation }),
    });
    const postText = await viaPost.text();
    for (const text of [getText, postText]) {
      expect(text).toContain("BAD_REQUEST");
      expect(text).not.toContain('"setLimit"');
    }
    expect(limit).toBe(100);
    expect((await post("{ limit }", bearer(token))).body.data.limit).toBe(100);
  });

  it("answers CORS only for allowlisted origins, and by default not at all", async () => {
    const preflight = (origin: string, url = gateway.url) =>
      fetch(url, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get("access-control-allow-headers")).toContain("authorization");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    const closed = await startGateway({ allowedOrigins: [] });
    try {
      expect((await preflight(ALLOWED_ORIGIN, closed.url)).headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await closed.stop();
    }
  });

  it("suggests field names in development only", async () => {
    const token = bearer(await analystToken());
    const misspelt = "{ limt }";
    expect((await post(misspelt, token)).body.errors?.[0]?.message).toMatch(/Did you mean/);
    const production = await startGateway({ environment: "production" });
    try {
      const answer = await post(misspelt, token, production.url);
      expect(answer.body.errors?.[0]?.message).toMatch(/Cannot query field/);
      expect(answer.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
      // The subscription transports validate on their own: the same rule there.
      const overSse = async (url: string) =>
        (
          await fetch(url, {
            method: "POST",
            headers: { accept: "text/event-stream", "content-type": "application/json", ...token },
            body: JSON.stringify({ query: misspelt }),
          })
        ).text();
      expect(await overSse(gateway.url)).toMatch(/Did you mean/);
      const sseText = await overSse(production.url);
      expect(sseText).toMatch(/Cannot query field/);
      expect(sseText).not.toMatch(/Did you mean/);
    } finally {
      await production.stop();
    }
  });
});

describe("production secrets", () => {
  const production = { NODE_ENV: "production", CROSSDOCK_PRINCIPAL_SECRET: "s3cret", CROSSDOCK_SERVICE_TOKEN: "flows-s3cret" };
  const identity = { CROSSDOCK_JWKS: "https://idp.example/jwks.json", CROSSDOCK_JWT_ISSUER: "https://idp.example/", CROSSDOCK_JWT_AUDIENCE: "crossdock" };

  it("refuses a configuration without its secrets or identity provider, or with the development defaults", () => {
    expect(() => loadConfig({ ...production, ...identity })).not.toThrow();
    const refused: Record<string, Record<string, string | undefined>> = {
      "no principal secret": { ...production, ...identity, CROSSDOCK_PRINCIPAL_SECRET: undefined },
      "the development principal secret": { ...production, ...identity, CROSSDOCK_PRINCIPAL_SECRET: "crossdock-dev-principal-secret" },
      "no service token": { ...production, ...identity, CROSSDOCK_SERVICE_TOKEN: undefined },
      "the development service token": { ...production, ...identity, CROSSDOCK_SERVICE_TOKEN: DEV_SERVICE_TOKEN },
      "no JWKS": { ...production },
      "a JWKS without an audience": { ...production, ...identity, CROSSDOCK_JWT_AUDIENCE: undefined },
    };
    for (const [name, env] of Object.entries(refused)) expect(() => loadConfig(env), name).toThrow(ConfigError);
  });

  it("the gateway process exits at start in production without secrets", () => {
    const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
    const result = spawnSync(process.execPath, ["--import", "tsx", entry], {
      env: { PATH: process.env.PATH, NODE_ENV: "production", PORT: "0", LOG_LEVEL: "info" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/CROSSDOCK_PRINCIPAL_SECRET must be set/);
  }, 70_000);
});
