// `npm run schema:check` compares the API schema composed now with the released one
// (schema/released/api.graphql) and fails on a breaking change that is not approved in
// schema/released/approved-changes.json; `npm run schema:release` makes the composed one the
// released one and appends what changed to schema/CHANGELOG.md.
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { composeSupergraph, REPO_ROOT } from "./compose.js";
import { printApiSchema } from "./apiSchema.js";
import { changelogEntry, compareApiSchemas, parseApprovals, type SchemaChange } from "./schemaChanges.js";

const RELEASED = join(REPO_ROOT, "schema", "released", "api.graphql");
const APPROVALS = join(REPO_ROOT, "schema", "released", "approved-changes.json");
const CHANGELOG = join(REPO_ROOT, "schema", "CHANGELOG.md");
const HEADER = "# The released API schema clients build against. Written by `npm run schema:release`; `npm run schema:check` compares with it.\n";

const release = process.argv.includes("--release");
const composed = composeSupergraph();
if (!composed.ok) {
  console.error(`Composition failed:\n${composed.errors.map((e) => `  - ${e}`).join("\n")}`);
  process.exit(1);
}
const next = printApiSchema(composed.supergraphSdl);
const releasedText = existsSync(RELEASED) ? readFileSync(RELEASED, "utf8") : null;
let approvals;
try {
  approvals = existsSync(APPROVALS) ? parseApprovals(readFileSync(APPROVALS, "utf8")) : [];
} catch (error) {
  console.error(`schema/released/approved-changes.json: ${(error as Error).message}`);
  process.exit(1);
}

if (releasedText === null) {
  if (!release) {
    console.error("No released API schema yet (schema/released/api.graphql): run `npm run schema:release`.");
    process.exit(1);
  }
  writeFileSync(RELEASED, HEADER + next);
  console.log("released the first API schema");
  process.exit(0);
}

const report = await compareApiSchemas({ released: releasedText, next, approvals });
const list = (title: string, changes: SchemaChange[], mark: (c: SchemaChange) => string = () => "") => {
  if (changes.length === 0) return;
  console.log(`${title} (${changes.length}):`);
  for (const change of changes) console.log(`  - ${change.id}: ${change.message}${mark(change)}`);
};
const approved = new Set(approvals.map((a) => a.change));
list("Breaking", report.breaking, (c) => (approved.has(c.id) ? "  [approved]" : "  [NOT APPROVED]"));
list("Dangerous", report.dangerous);
list("Safe", report.safe);
for (const unused of report.unusedApprovals) console.log(`  note: approval "${unused.change}" matches no change; remove it`);
if (report.breaking.length + report.dangerous.length + report.safe.length === 0) console.log("API schema unchanged since the last release");

if (report.unapproved.length > 0) {
  console.error(
    `\n${report.unapproved.length} breaking change(s) not approved. Deprecate first (@deprecated) and remove later, or approve each in ` +
      `schema/released/approved-changes.json as { "change": "<id above>", "reason": "..." }.`,
  );
  process.exit(1);
}
if (release) {
  if (report.breaking.length + report.dangerous.length + report.safe.length === 0) {
    console.log("nothing to release");
    process.exit(0);
  }
  writeFileSync(RELEASED, HEADER + next);
  if (!existsSync(CHANGELOG))
    writeFileSync(CHANGELOG, "# API schema changelog\n\nWhat changed for clients in each release of the API schema (`npm run schema:release`).\n\n");
  appendFileSync(CHANGELOG, changelogEntry(report, approvals, new Date()) + "\n");
  // The approvals are spent: their reasons live on in the changelog.
  writeFileSync(
    APPROVALS,
    JSON.stringify(
      approvals.filter((a) => !report.breaking.some((c) => c.id === a.change)),
      null,
      2,
    ) + "\n",
  );
  console.log("released: schema/released/api.graphql and schema/CHANGELOG.md updated");
}
