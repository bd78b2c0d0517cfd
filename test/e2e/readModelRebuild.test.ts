// The hub's read model can be thrown away and rebuilt: a new hub database snapshots every
// source again, so the rebuilt read model equals the one it replaced; a plain restart
// re-reads nothing and doubles nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startHub } from "@crossdock/launcher";
import { authenticateHub, graphqlData } from "../src/index.js";

const ANY_PORTS = { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 };
const READ_MODEL = `{ inventoryPositions(first: 500) { edges { node { sku warehouseCode onHand allocated available } } }
  syncStatus { sources { source eventsApplied deadLetters } } }`;

describe("read model rebuild", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "crossdock-rebuild-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const boot = async () => {
    const hub = await startHub({ port: 0, subgraphPorts: ANY_PORTS, dataDir, seedScale: 0.02, simulate: false, env: { ...process.env, LOG_LEVEL: "warn" } });
    await authenticateHub(hub);
    return hub;
  };

  it("restarts without re-reading, and rebuilds an identical read model from an empty hub database", async () => {
    let hub = await boot();
    const first = await graphqlData<{ inventoryPositions: { edges: unknown[] }; syncStatus: { sources: { source: string; eventsApplied: string }[] } }>(
      hub.url,
      READ_MODEL,
    );
    expect(first.inventoryPositions.edges.length).toBeGreaterThan(20);
    await hub.stop();

    hub = await boot();
    const restarted = await graphqlData<typeof first>(hub.url, READ_MODEL);
    expect(restarted).toEqual(first);
    await hub.stop();

    rmSync(join(dataDir, "hub"), { recursive: true, force: true });
    hub = await boot();
    try {
      const rebuilt = await graphqlData<typeof first>(hub.url, READ_MODEL);
      expect(rebuilt.inventoryPositions).toEqual(first.inventoryPositions);
      for (const source of rebuilt.syncStatus.sources) expect(Number(source.eventsApplied)).toBeGreaterThan(0);
    } finally {
      await hub.stop();
    }
    // Three whole hubs boot here, one after another (the third re-snapshots every source).
  }, 240_000);
});
