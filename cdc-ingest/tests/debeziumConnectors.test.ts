// The committed Debezium connector configurations are the current rendering of the captured
// tables: each system's connector includes exactly the tables the hub captures, under the
// topic prefix the ingest maps back to that system.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAPTURED_TABLES, SOURCE_NAMES } from "../src/capture/capturedTables.js";
import { CONNECTOR_DIR, debeziumConnectorConfig, renderConnectorConfigs } from "../src/capture/debeziumConnectors.js";
import { systemOfTopic } from "../src/server.js";

describe("Debezium connector configurations", () => {
  it("are committed as generated (npm run debezium:connectors)", () => {
    for (const [file, text] of renderConnectorConfigs()) expect(readFileSync(join(CONNECTOR_DIR, file), "utf8"), file).toBe(text);
  });

  it("capture exactly the captured tables, on topics the ingest maps to their system", () => {
    for (const system of SOURCE_NAMES) {
      const { config } = debeziumConnectorConfig(system);
      const tables = config["table.include.list"]!.split(",");
      expect(tables.map((t) => t.replace(/^public\./, "")).sort()).toEqual([...CAPTURED_TABLES[system]].sort());
      for (const table of tables) expect(systemOfTopic({ topic: `${config["topic.prefix"]}.${table}` })).toBe(system);
      expect(config["database.password"]).toBe(`\${env:${system.toUpperCase()}_DB_PASSWORD}`);
    }
  });
});
