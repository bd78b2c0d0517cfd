-- The gateway's rate-limit token buckets, shared by its replicas (gateway/src/rateLimit): one row
-- per caller, taken from with one UPSERT per operation. UNLOGGED: the buckets are seconds of
-- state, not worth a WAL record per request; after a crash every caller starts with a full
-- bucket. No index on "updatedAt": it would change on every take and rule out HOT updates; the
-- gateways' occasional sweep of idle rows (a missing row is a full bucket) scans the small table.
CREATE UNLOGGED TABLE "RateLimitBucket" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "RateLimitBucket_pkey" PRIMARY KEY ("key")
);
