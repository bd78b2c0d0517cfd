// Two gateway replicas on one hub Postgres share each caller's bucket (postgresBuckets): a burst
// spent half on each leaves the caller refused on both, other callers go on, a refusal changes
// nothing in the shared bucket, and time (the bucket's clock moved back) lets it in on both.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, ROLE_SCOPES, type Database } from "@crossdock/platform";
import { createTestDatabases, postgresAvailable } from "@crossdock/test";
import { createDevIssuer, loadConfig, start, type DevIssuer, type RunningGateway } from "../src/server.js";

const HUB_MIGRATIONS = fileURLToPath(new URL("../../cdc-ingest/prisma/migrations", import.meta.url));
/** One token every 10 s: no test here runs long enough to see one come back on its own. */
const POLICY = { perMinute: 6, burst: 4 };

describe.skipIf(!(await postgresAvailable()))("rate limits shared by gateway replicas (postgres)", () => {
  let databases: Awaited<ReturnType<typeof createTestDatabases<"hub">>>;
  let hub: Database;
  let issuer: DevIssuer;
  let replicas: RunningGateway[] = [];

  beforeAll(async () => {
    databases = await createTestDatabases(["hub"] as const);
    hub = await openDatabase(databases.urls.hub);
    await migrate(hub, HUB_MIGRATIONS);
    issuer = await createDevIssuer();
    const loaded = loadConfig({
      NODE_ENV: "development",
      LOG_LEVEL: "silent",
      HUB_DATABASE_URL: databases.urls.hub,
      CROSSDOCK_RATE_LIMIT_PER_MINUTE: String(POLICY.perMinute),
      CROSSDOCK_RATE_LIMIT_BURST: String(POLICY.burst),
    });
    const config = {
      ...loaded,
      port: 0,
      host: "127.0.0.1",
      identity: { ...loaded.identity, jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience },
    };
    // `{ __typename }` is answered by the gateway itself: no subgraph has to run.
    replicas = [await start(config), await start(config)];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await hub?.close();
    await databases?.drop();
  });

  const post = async (replica: RunningGateway, token: string) => {
    const response = await fetch(replica.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as any };
  };
  const bucket = async (key: string) =>
    (await hub.query<{ tokens: number; updatedAt: Date }>(`SELECT "tokens", "updatedAt" FROM "RateLimitBucket" WHERE "key" = $1`, [key]))[0];
  const tokenFor = (subject: string) => issuer.issueToken({ subject, scopes: [...ROLE_SCOPES.analyst] });

  it("spends one bucket per caller across both replicas, and leaves other callers alone", async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    const [ana, bob] = [await tokenFor("ana"), await tokenFor("bob")];
    for (let i = 0; i < POLICY.burst; i++) expect((await post(i % 2 === 0 ? a : b, ana)).status).toBe(200);
    const spent = await bucket("user:ana");
    expect(spent!.tokens).toBeLessThan(1);
    for (const replica of [a, b]) {
      const refused = await post(replica, ana);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(10);
      expect(refused.body.errors[0].extensions).toEqual({ code: "RATE_LIMITED", retryAfterSeconds: Number(refused.retryAfter) });
    }
    // Refusals take nothing and write nothing.
    expect(await bucket("user:ana")).toEqual(spent);
    for (const replica of [a, b]) expect((await post(replica, bob)).status).toBe(200);
  });

  it("lets the caller in on either replica once its shared bucket has refilled", async () => {
    const [a, b] = replicas as [RunningGateway, RunningGateway];
    const cy = await tokenFor("cy");
    for (let i = 0; i < POLICY.burst; i++) await post(a, cy);
    expect((await post(b, cy)).status).toBe(429);
    // Twenty seconds on the database's clock: two tokens back.
    await hub.query(`UPDATE "RateLimitBucket" SET "updatedAt" = "updatedAt" - interval '20 seconds' WHERE "key" = 'user:cy'`);
    expect((await post(b, cy)).status).toBe(200);
    expect((await post(a, cy)).status).toBe(200);
    expect((await post(b, cy)).status).toBe(429);
  });
});
