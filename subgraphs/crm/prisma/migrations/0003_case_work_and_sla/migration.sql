-- Case work (assign, start, escalate) with an SLA timer per priority: the case records who owns
-- it, when work started, how often it was escalated and when its current SLA runs out (null: no
-- timer, e.g. cases opened before this migration). The flows watch "slaDueAt" through the change
-- feed and escalate a case that passes it.
ALTER TABLE "Case" ADD COLUMN "owner" TEXT;
ALTER TABLE "Case" ADD COLUMN "startedAt" TIMESTAMPTZ(3);
ALTER TABLE "Case" ADD COLUMN "escalationLevel" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Case" ADD COLUMN "escalatedAt" TIMESTAMPTZ(3);
ALTER TABLE "Case" ADD COLUMN "slaDueAt" TIMESTAMPTZ(3);

-- Timeline entries name the case they are about, so a case can show every step of its work.
-- Entries written before carry the case number only inside their key ("case:<number>:<event>").
ALTER TABLE "TimelineEntry" ADD COLUMN "caseNumber" TEXT;
UPDATE "TimelineEntry" SET "caseNumber" = split_part("externalKey", ':', 2) WHERE "externalKey" LIKE 'case:%';

-- CreateIndex
CREATE INDEX "TimelineEntry_caseNumber_occurredAt_idx" ON "TimelineEntry"("caseNumber", "occurredAt");
