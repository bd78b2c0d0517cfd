-- A timeline entry's externalKey is its writer's own key for the event (issue 15): unique per
-- writer ("source": "<kind>:<subject>" of the caller, or "crm"/"seed" for the CRM's own entries),
-- no longer across everyone. One caller's key can then neither collide with another's nor tell
-- it that a key exists; a retry by the same writer still adds nothing.
DROP INDEX "TimelineEntry_externalKey_key";
CREATE UNIQUE INDEX "TimelineEntry_source_externalKey_key" ON "TimelineEntry"("source", "externalKey");
