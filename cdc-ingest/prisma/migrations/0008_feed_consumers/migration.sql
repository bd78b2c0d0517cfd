-- The change feed's consumer registry: every named reader (the flows, each gateway's subscription
-- tail) records how far it has read. Retention prunes no entry a live consumer has not read,
-- up to CROSSDOCK_FEED_RETENTION_MAX_HOURS; past that the consumer is marked expired (loudly:
-- log, metric, syncStatus) rather than left to skip entries silently. Durable consumers (the
-- flows) keep their row; ephemeral ones (a gateway tail, whose cursor dies with its process)
-- are removed once they stop heartbeating.
CREATE TABLE "FeedConsumer" (
    "name" TEXT NOT NULL,
    "cursor" BIGINT NOT NULL,
    "durable" BOOLEAN NOT NULL DEFAULT true,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "expiredAt" TIMESTAMPTZ(3),

    CONSTRAINT "FeedConsumer_pkey" PRIMARY KEY ("name")
);

-- The flows kept their cursor in "FlowCursor" (the flows' own migrations); it moves here, so
-- retention sees it. A hub whose flows never ran has no such table and nothing to carry over.
DO $$
BEGIN
  IF to_regclass('"FlowCursor"') IS NOT NULL THEN
    INSERT INTO "FeedConsumer" ("name", "cursor", "durable", "lastSeenAt")
    SELECT "name", "cursor", true, "updatedAt" FROM "FlowCursor"
    ON CONFLICT ("name") DO NOTHING;
  END IF;
END $$;
