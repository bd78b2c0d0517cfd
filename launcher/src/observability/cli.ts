// `npm run observability`: writes the Prometheus rules from observability/slos.json;
// `npm run observability -- --check` fails when the committed rules are stale (CI).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readSlos, renderRules, RULES_FILE } from "./sloRules.js";

const rules = renderRules(readSlos());
if (process.argv.includes("--check")) {
  const committed = existsSync(RULES_FILE) ? readFileSync(RULES_FILE, "utf8") : "";
  if (committed !== rules) {
    console.error("observability/prometheus/crossdock-rules.generated.yml is stale: run `npm run observability`");
    process.exit(1);
  }
  console.log("Prometheus rules are current");
} else {
  writeFileSync(RULES_FILE, rules);
  console.log(`wrote ${RULES_FILE}`);
}
