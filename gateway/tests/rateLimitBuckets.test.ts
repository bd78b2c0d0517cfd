// The shared buckets' statement (postgresBuckets) on the hub schema as cdc-ingest migrates it,
// here on PGlite (the same SQL as Postgres; the replicas' sharing is rateLimitShared.pg.test.ts):
// a burst is taken, a refusal writes nothing and says how long to wait, time refills the bucket
// (the row's clock is moved back instead of waiting), and idle buckets are swept.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase, type Database } from "@crossdock/platform";
import { PostgresBuckets } from "../src/rateLimit/index.js";

const HUB_MIGRATIONS = fileURLToPath(new URL("../../cdc-ingest/prisma/migrations", import.meta.url));
const POLICY = { perMinute: 60, burst: 2 };

let db: Database;
beforeAll(async () => {
  db = await openDatabase("pglite:memory");
  await migrate(db, HUB_MIGRATIONS);
});
afterAll(async () => db?.close());

const row = async (key: string) =>
  (await db.query<{ tokens: number; updatedAt: Date }>(`SELECT "tokens", "updatedAt" FROM "RateLimitBucket" WHERE "key" = $1`, [key]))[0];
/** Moves a bucket's last count into the past, as if that much time had gone by. */
const age = (key: string, seconds: number) =>
  db.query(`UPDATE "RateLimitBucket" SET "updatedAt" = "updatedAt" - make_interval(secs => $2) WHERE "key" = $1`, [key, seconds]);

describe("buckets in the hub database", () => {
  it("takes the burst, then refuses without writing, with the wait until the next token", async () => {
    const buckets = new PostgresBuckets({ database: db, forgetAfterSeconds: 60 });
    expect(await buckets.take("user:ana", POLICY)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
    expect(await buckets.take("user:ana", POLICY)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    const before = await row("user:ana");
    expect(await buckets.take("user:ana", POLICY)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(await row("user:ana")).toEqual(before);
    expect((await buckets.take("user:bob", POLICY)).allowed).toBe(true);
  });

  it("refills by the time elapsed on the database's clock, up to the burst", async () => {
    const buckets = new PostgresBuckets({ database: db, forgetAfterSeconds: 60 });
    await buckets.take("user:cy", POLICY);
    await buckets.take("user:cy", POLICY);
    expect((await buckets.take("user:cy", POLICY)).allowed).toBe(false);
    await age("user:cy", 1.5);
    expect(await buckets.take("user:cy", POLICY)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    await age("user:cy", 3600);
    expect(await buckets.take("user:cy", POLICY)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
  });

  it("forgets buckets idle longer than a full refill", async () => {
    const buckets = new PostgresBuckets({ database: db, forgetAfterSeconds: 60, sweepIntervalMs: 0 });
    await buckets.take("ip:192.0.2.1", POLICY);
    await age("ip:192.0.2.1", 120);
    await buckets.take("user:dee", POLICY);
    await expect.poll(() => row("ip:192.0.2.1")).toBeUndefined();
    expect(await row("user:dee")).toBeDefined();
  });
});
