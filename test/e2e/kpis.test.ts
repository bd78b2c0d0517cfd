// The inventory accuracy KPI on the whole hub: the ERP's stock ledger is captured next to the
// WMS's stock, and the ops service's /metrics says how many SKU x warehouse positions the two
// agree on. A WMS stock adjustment the ERP does not book makes exactly one position disagree;
// adjusting it back restores the agreement. On PGlite (outbox capture) and on Postgres (the
// production capture: logical replication, the ledger in the ERP's publication).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMetrics, metricSum } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, startTestHub, type TestHub } from "./hubHarness.js";
import { adjustInventory, stockedPositions } from "./subscriptionsClients.js";

interface Accuracy {
  ratio: number;
  agree: number;
  disagree: number;
}

async function accuracy(t: TestHub): Promise<Accuracy> {
  const text = await fetchMetrics(t.hub.subgraphUrls.ops);
  return {
    ratio: metricSum(text, "crossdock_kpi_inventory_accuracy_ratio"),
    agree: metricSum(text, "crossdock_kpi_inventory_positions", { agreement: "agree" }),
    disagree: metricSum(text, "crossdock_kpi_inventory_positions", { agreement: "disagree" }),
  };
}

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`inventory accuracy KPI (${backend})`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub(backend, 0.02);
    }, 240_000);
    afterAll(async () => t?.stop());

    it("counts the positions where the ERP ledger and the WMS on-hand agree", async () => {
      await t.hub.drainCapture();
      const seeded = await accuracy(t);
      // The demo world books the same stock in both systems.
      expect(seeded.agree).toBeGreaterThan(10);
      expect(seeded).toEqual({ ratio: 1, agree: seeded.agree, disagree: 0 });

      // The WMS counts one unit less at one position; the ERP's ledger does not hear of it.
      const [position] = await stockedPositions(t.url, 1);
      await adjustInventory(t.url, position!.sku, position!.warehouseCode, "-1");
      const off = await eventually(
        () => accuracy(t),
        (figures) => figures.disagree === 1,
        10_000,
      );
      const positions = seeded.agree;
      expect(off).toEqual({ ratio: (positions - 1) / positions, agree: positions - 1, disagree: 1 });

      // Counted back: the two agree again.
      await adjustInventory(t.url, position!.sku, position!.warehouseCode, "1");
      expect(
        await eventually(
          () => accuracy(t),
          (figures) => figures.disagree === 0,
          10_000,
        ),
      ).toEqual(seeded);
    });
  });
}
