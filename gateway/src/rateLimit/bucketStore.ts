// Where the buckets live: in this process (memoryBuckets) or in the hub's Postgres, shared by
// every gateway replica (postgresBuckets). Both take one token atomically per call.
import type { RateLimitPolicy } from "../config.js";
import type { RateDecision } from "./tokenBucket.js";

export interface BucketStore {
  /** "memory" or "postgres", for the log and metrics. */
  readonly kind: string;
  take(key: string, policy: RateLimitPolicy): Promise<RateDecision>;
}
