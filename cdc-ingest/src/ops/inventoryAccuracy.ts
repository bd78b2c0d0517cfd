// The inventory accuracy KPI: the share of SKU x warehouse positions where the ERP's financial
// stock ledger ("InventoryLedger", mirrored) and the WMS's physical on-hand (the read model's
// "InventoryPosition", the sum over the WMS's bins) agree. A position either system knows and
// the other does not counts with 0 on the missing side. Read from the hub when scraped.
import { Gauge, type Database, type Registry } from "@crossdock/platform";

export interface InventoryAccuracy {
  /** Positions known to the ERP ledger, the WMS, or both. */
  positions: number;
  /** Of those, the ones whose ledger and WMS on-hand are equal. */
  agreeing: number;
  /** agreeing / positions; 1 when there are no positions (nothing disagrees). */
  ratio: number;
}

export async function inventoryAccuracy(hub: Database): Promise<InventoryAccuracy> {
  const [row] = await hub.query<{ positions: number; agreeing: number }>(
    `WITH ledger AS (
       SELECT r."data"->>'sku' AS sku, r."data"->>'warehouseCode' AS wh, (r."data"->>'onHand')::numeric AS on_hand
       FROM "SourceRow" r WHERE r."source" = 'erp' AND r."tableName" = 'InventoryLedger' AND NOT r."deleted")
     SELECT count(*)::int AS positions,
            (count(*) FILTER (WHERE COALESCE(l.on_hand, 0) = COALESCE(p."onHand", 0)))::int AS agreeing
     FROM ledger l FULL JOIN "InventoryPosition" p ON p."sku" = l.sku AND p."warehouseCode" = l.wh`,
  );
  const positions = row?.positions ?? 0;
  const agreeing = row?.agreeing ?? 0;
  return { positions, agreeing, ratio: positions === 0 ? 1 : agreeing / positions };
}

/** The ratio, and the positions by agreement; both gauges of one scrape share one query. */
export function registerInventoryAccuracy(registry: Registry, hub: Database): void {
  let last: { at: number; figures: Promise<InventoryAccuracy> } | undefined;
  const current = (): Promise<InventoryAccuracy> => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), figures: inventoryAccuracy(hub) };
    return last.figures;
  };
  new Gauge({
    name: "crossdock_kpi_inventory_accuracy_ratio",
    help: "Share of SKU x warehouse positions where the ERP stock ledger and the WMS on-hand agree (0..1)",
    registers: [registry],
    async collect() {
      this.set((await current()).ratio);
    },
  });
  new Gauge({
    name: "crossdock_kpi_inventory_positions",
    help: "SKU x warehouse positions known to the ERP stock ledger or the WMS, by whether the two agree",
    labelNames: ["agreement"],
    registers: [registry],
    async collect() {
      const { positions, agreeing } = await current();
      this.set({ agreement: "agree" }, agreeing);
      this.set({ agreement: "disagree" }, positions - agreeing);
    },
  });
}
