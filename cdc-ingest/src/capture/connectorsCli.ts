// `npm run debezium:connectors`: writes deploy/debezium/<system>-connector.json from the captured
// tables (POST each to Kafka Connect's /connectors); `-- --check` fails when they are stale.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONNECTOR_DIR, renderConnectorConfigs } from "./debeziumConnectors.js";

const check = process.argv.includes("--check");
let stale = 0;
for (const [file, text] of renderConnectorConfigs()) {
  const path = join(CONNECTOR_DIR, file);
  if (check) {
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
      console.error(`deploy/debezium/${file} is stale: run \`npm run debezium:connectors\``);
      stale += 1;
    }
  } else {
    writeFileSync(path, text);
    console.log(`wrote deploy/debezium/${file}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
