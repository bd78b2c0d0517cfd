// Buckets in this process: the embedded hub's (one gateway) and any gateway without a hub
// Postgres. A bucket that has refilled completely is the same as none, so such buckets are
// forgotten on a sweep at most once a minute: memory follows the callers of the last minutes.
import type { RateLimitPolicy } from "../config.js";
import type { BucketStore } from "./bucketStore.js";
import { takeToken, tokensAt, type BucketState, type RateDecision } from "./tokenBucket.js";

export interface MemoryBucketsOptions {
  /** Epoch ms; tests move time forward instead of waiting. */
  now?: () => number;
}

const SWEEP_INTERVAL_MS = 60_000;

export class MemoryBuckets implements BucketStore {
  readonly kind = "memory";
  private readonly buckets = new Map<string, { state: BucketState; policy: RateLimitPolicy }>();
  private readonly now: () => number;
  private lastSweep: number;

  constructor(options: MemoryBucketsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  async take(key: string, policy: RateLimitPolicy): Promise<RateDecision> {
    return this.takeNow(key, policy);
  }

  /** The synchronous take (the fallback when the shared store fails uses it too). */
  takeNow(key: string, policy: RateLimitPolicy): RateDecision {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    const { bucket, decision } = takeToken(this.buckets.get(key)?.state, now, policy);
    this.buckets.set(key, { state: bucket, policy });
    return decision;
  }

  /** Buckets held now (tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, { state, policy }] of this.buckets) if (tokensAt(state, now, policy) >= policy.burst) this.buckets.delete(key);
  }
}
