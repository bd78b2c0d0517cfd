// The token bucket's arithmetic, shared by the in-process buckets and (as SQL) the Postgres ones:
// a bucket holds up to `burst` tokens, gains `perMinute` a minute, and each operation takes one.
// No state here: callers pass the bucket they had and keep the one they get back.
import type { RateLimitPolicy } from "../config.js";

export interface BucketState {
  tokens: number;
  /** When `tokens` was counted (epoch ms). */
  at: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left after this operation. */
  remaining: number;
  /** When refused: seconds until one token is back (at least 1, the Retry-After header's unit). */
  retryAfterSeconds: number;
}

/** Tokens in a bucket at `now`, refilled since it was last counted and capped at the burst. */
export function tokensAt(bucket: BucketState | undefined, now: number, policy: RateLimitPolicy): number {
  if (!bucket) return policy.burst;
  const refilled = bucket.tokens + (Math.max(0, now - bucket.at) / 60_000) * policy.perMinute;
  return Math.min(policy.burst, refilled);
}

/** Seconds until a bucket holding `tokens` (< 1) has one again, rounded up. */
export function secondsUntilToken(tokens: number, policy: RateLimitPolicy): number {
  return Math.max(1, Math.ceil(((1 - tokens) * 60) / policy.perMinute));
}

/** Refills are fractions: 0.9 + 0.1 is a whole token, though not in floating point. */
const WHOLE = 1 - 1e-9;

/** Takes one token if there is one; a refused operation takes nothing, so waiting always helps. */
export function takeToken(bucket: BucketState | undefined, now: number, policy: RateLimitPolicy): { bucket: BucketState; decision: RateDecision } {
  const tokens = tokensAt(bucket, now, policy);
  if (tokens >= WHOLE)
    return { bucket: { tokens: Math.max(0, tokens - 1), at: now }, decision: { allowed: true, remaining: Math.floor(tokens - WHOLE), retryAfterSeconds: 0 } };
  return { bucket: { tokens, at: now }, decision: { allowed: false, remaining: 0, retryAfterSeconds: secondsUntilToken(tokens, policy) } };
}
