// The gateway's rate limit: one token per operation and per subscription start from the caller's
// bucket (callerKey). The hub's own process layer (the flows, authenticated by their service
// token) has a policy of its own, off by default; every other caller, machine clients of the
// identity provider included, is held to the callers' policy. Buckets are shared through the hub's Postgres when the gateway has one, in this
// process otherwise; should the shared store fail, this replica's own buckets stand in, so an
// outage of the hub database neither lets everyone through nor refuses everyone.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import { Counter, type Logger, type Principal, type Registry } from "@crossdock/platform";
import type { GraphQLError } from "graphql";
import type { RateLimitConfig, RateLimitPolicy } from "../config.js";
import type { BucketStore } from "./bucketStore.js";
import { FLOWS_PRINCIPAL } from "../context.js";
import { callerKey } from "./callerKey.js";
import { MemoryBuckets } from "./memoryBuckets.js";
import type { RateDecision } from "./tokenBucket.js";

export interface RateLimiterOptions {
  config: RateLimitConfig;
  /** Shared buckets (PostgresBuckets); default: this process's. */
  store?: BucketStore;
  /** This process's buckets, also the fallback of a failing shared store (tests inject a clock). */
  local?: MemoryBuckets;
  logger: Logger;
  registry?: Registry;
}

export interface RateLimiter {
  /** Whether any caller is limited at all. */
  readonly enabled: boolean;
  /** Takes a token for one operation; undefined when the caller's kind is not limited. */
  take(principal: Principal | undefined, clientAddress: string): Promise<RateDecision | undefined>;
}

/** Longest a failing shared store is silent in the log. */
const STORE_WARNING_INTERVAL_MS = 60_000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { config, logger } = options;
  const local = options.local ?? new MemoryBuckets();
  const store = options.store ?? local;
  const refused = new Counter({
    name: "crossdock_gateway_rate_limited_total",
    help: "Operations and subscription starts refused with RATE_LIMITED, by caller kind",
    labelNames: ["kind"] as const,
    registers: options.registry ? [options.registry] : [],
  });
  let lastWarning = 0;
  const policyOf = (principal: Principal | undefined): RateLimitPolicy => (principal === FLOWS_PRINCIPAL ? config.services : config.callers);
  return {
    enabled: config.callers.perMinute > 0 || config.services.perMinute > 0,
    async take(principal, clientAddress) {
      const policy = policyOf(principal);
      if (policy.perMinute === 0) return undefined;
      const key = callerKey(principal, clientAddress);
      let decision: RateDecision;
      try {
        decision = await store.take(key, policy);
      } catch (error) {
        if (Date.now() - lastWarning > STORE_WARNING_INTERVAL_MS) {
          lastWarning = Date.now();
          logger.warn(
            { error: error instanceof Error ? error.message : String(error), store: store.kind },
            "rate-limit store failed: this replica's own buckets count meanwhile",
          );
        }
        decision = local.takeNow(key, policy);
      }
      if (!decision.allowed) refused.inc({ kind: principal?.kind ?? "anonymous" });
      return decision;
    },
  };
}

/** The refusal every transport reports: RATE_LIMITED, with the wait in `retryAfterSeconds`. */
export function rateLimitedError(decision: RateDecision): GraphQLError {
  return crossdockError(ErrorCode.RATE_LIMITED, `Rate limit exceeded: retry in ${decision.retryAfterSeconds} s`, {
    detail: { retryAfterSeconds: decision.retryAfterSeconds },
  });
}
