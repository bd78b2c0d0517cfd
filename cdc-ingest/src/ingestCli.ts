// `npm run ingest -- --from-file events.jsonl` (or `--from-file -` for stdin): replays archived
// Debezium messages into the hub's read model through the same decode/apply path as live
// capture, then prints what was applied and what went to the dead-letter queue.
import { parseArgs } from "node:util";
import { loadConfig, start } from "./server.js";
import { JsonlSource } from "./sources/jsonlSource.js";

const { values } = parseArgs({
  options: { "from-file": { type: "string" }, topic: { type: "string" } },
});
const path = values["from-file"];
if (!path) {
  console.error("usage: npm run ingest -- --from-file <events.jsonl | -> [--topic <default topic for bare envelopes>]");
  process.exit(2);
}
try {
  const source = new JsonlSource({ name: "jsonl", path, ...(values.topic ? { defaultTopic: values.topic } : {}) });
  const ingest = await start({ ...loadConfig(process.env), port: 0, capture: "none" }, { extraSources: [source] });
  // start() already applied everything the file holds before it returned; drain() is a no-op
  // safety net for a slow stdin.
  await ingest.drain();
  const [applied] = await ingest.hub.query<{ n: string }>(`SELECT COALESCE(SUM("eventsApplied"), 0)::text AS n FROM "SourceCheckpoint"`);
  const [letters] = await ingest.hub.query<{ n: number }>(`SELECT count(*)::int AS n FROM "DeadLetter" WHERE "status" = 'PARKED'`);
  console.log(`replayed ${path}: read model has applied ${applied?.n ?? 0} change events in total; ${letters?.n ?? 0} dead letters parked`);
  await ingest.stop();
} catch (error) {
  console.error("replay failed:", error instanceof Error ? error.message : error);
  process.exit(1);
}
