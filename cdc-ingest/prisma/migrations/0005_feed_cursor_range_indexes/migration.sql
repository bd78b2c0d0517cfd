-- Feed reads (the gateway's tail and catch-up, the flows reader) are cursor ranges filtered by
-- entity type, and by entity key for a narrowed catch-up. With only ("entityType", "entityKey")
-- the planner combined that index with the cursor range in a bitmap AND, walking every entry of
-- the types on every read: its cost grew with the retained feed. With the cursor in the entity
-- indexes each read visits only the entries past its cursor.
DROP INDEX IF EXISTS "ChangeFeedEntry_entityType_entityKey_idx";
CREATE INDEX "ChangeFeedEntry_entityType_entityKey_cursor_idx" ON "ChangeFeedEntry"("entityType", "entityKey", "cursor");
CREATE INDEX "ChangeFeedEntry_entityType_cursor_idx" ON "ChangeFeedEntry"("entityType", "cursor");
