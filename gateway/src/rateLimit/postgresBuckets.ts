// Buckets in the hub's Postgres ("RateLimitBucket", a cdc-ingest migration: cdc-ingest owns the
// hub schema), shared by every gateway replica on that hub, so a caller's rate is the same
// whichever replica it reaches. One statement per operation refills the caller's bucket by the
// time elapsed on the database's clock, takes a token if there is one and says what is left.
import type { Database } from "@crossdock/platform";
import type { RateLimitPolicy } from "../config.js";
import type { BucketStore } from "./bucketStore.js";
import { secondsUntilToken, type RateDecision } from "./tokenBucket.js";

/**
 * $1 key, $2 burst, $3 tokens per second. The conflict update runs only when a token is there
 * (its WHERE), so a refusal writes nothing; the row under its lock then is the one the insert
 * saw, and the second SELECT reports its tokens (from the statement's snapshot: a hint for
 * Retry-After, never a decision).
 */
const TAKE_TOKEN = `
WITH taken AS (
  INSERT INTO "RateLimitBucket" AS bucket ("key", "tokens", "updatedAt")
  VALUES ($1, $2::float8 - 1, now())
  ON CONFLICT ("key") DO UPDATE
    SET "tokens" = GREATEST(0, LEAST($2::float8, bucket."tokens" + GREATEST(0, EXTRACT(EPOCH FROM now() - bucket."updatedAt")::float8) * $3::float8) - 1),
        "updatedAt" = now()
    WHERE LEAST($2::float8, bucket."tokens" + GREATEST(0, EXTRACT(EPOCH FROM now() - bucket."updatedAt")::float8) * $3::float8) >= 1 - 1e-9
  RETURNING "tokens"
)
SELECT true AS allowed, "tokens" FROM taken
UNION ALL
SELECT false AS allowed, LEAST($2::float8, "tokens" + GREATEST(0, EXTRACT(EPOCH FROM now() - "updatedAt")::float8) * $3::float8) AS "tokens"
FROM "RateLimitBucket" WHERE "key" = $1 AND NOT EXISTS (SELECT 1 FROM taken)`;

const FORGET_IDLE = `DELETE FROM "RateLimitBucket" WHERE "updatedAt" < now() - make_interval(secs => $1::float8)`;

export interface PostgresBucketsOptions {
  /** The hub database (the change feed's). */
  database: Database;
  /** Seconds after which an untouched bucket is surely full again (the slowest policy's refill): such rows are deleted. */
  forgetAfterSeconds: number;
  /** How often one replica's sweep runs at most. */
  sweepIntervalMs?: number;
}

export class PostgresBuckets implements BucketStore {
  readonly kind = "postgres";
  private lastSweep = Date.now();

  constructor(private readonly options: PostgresBucketsOptions) {}

  async take(key: string, policy: RateLimitPolicy): Promise<RateDecision> {
    this.sweepNowAndThen();
    const rows = await this.options.database.query<{ allowed: boolean; tokens: number | string }>(TAKE_TOKEN, [key, policy.burst, policy.perMinute / 60]);
    const row = rows[0];
    if (row?.allowed) return { allowed: true, remaining: Math.floor(Number(row.tokens)), retryAfterSeconds: 0 };
    // Refused. No row: the bucket was created by a statement that committed after this one's
    // snapshot; it had less than a token, so a token's time is the longest wait.
    const tokens = row ? Math.min(Number(row.tokens), 1 - 1e-9) : 0;
    return { allowed: false, remaining: 0, retryAfterSeconds: secondsUntilToken(tokens, policy) };
  }

  private sweepNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastSweep < (this.options.sweepIntervalMs ?? 300_000)) return;
    this.lastSweep = now;
    // Best effort and off the request's path: a failed sweep is retried at the next interval.
    this.options.database.query(FORGET_IDLE, [this.options.forgetAfterSeconds]).catch(() => undefined);
  }
}
