// Rate limits per caller at the gateway: token buckets (tokenBucket) per principal or client
// address (callerKey), kept in the hub's Postgres (postgresBuckets) or in this process
// (memoryBuckets), applied at the HTTP and graphql-ws doors (transports).
export { createRateLimiter, rateLimitedError, type RateLimiter } from "./rateLimiter.js";
export { createHttpRateLimit, createPrincipalMemo, wsOperationAdmission } from "./transports.js";
export { MemoryBuckets } from "./memoryBuckets.js";
export { PostgresBuckets } from "./postgresBuckets.js";
export { callerKey, clientAddressOf } from "./callerKey.js";
export type { BucketStore } from "./bucketStore.js";
export type { RateDecision } from "./tokenBucket.js";
