// What the CDC fault test compares: the read model's inventory positions and order statuses
// recomputed straight from the source tables, the hub's actual rows, and the change feed
// checked as a chain (each entry's "previous" equals the entry before it, no repeats).
import type pg from "pg";
import { Decimal } from "@crossdock/schema";
import { deriveOrderStage } from "@crossdock/cdc-ingest";

const fixed3 = (value: string | Decimal) => new Decimal(value).toFixed(3);

/** InventoryPosition recomputed from the WMS and ERP tables, keyed "sku|warehouse" → "onHand/allocated/available". */
export async function expectedInventory(erp: pg.Client, wms: pg.Client): Promise<Map<string, string>> {
  const stock = await wms.query<{ sku: string; wh: string; on_hand: string }>(
    `SELECT sku, "warehouseCode" AS wh, SUM("onHand")::text AS on_hand FROM "Stock" GROUP BY 1, 2`,
  );
  const alloc = await erp.query<{ sku: string; wh: string; allocated: string }>(
    `SELECT l.sku, o."warehouseCode" AS wh, SUM(GREATEST(l.quantity - l."quantityShipped", 0))::text AS allocated
     FROM "SalesOrderLine" l JOIN "SalesOrder" o ON o.id = l."orderId" WHERE o.status IN ('RELEASED', 'PARTIALLY_SHIPPED') GROUP BY 1, 2`,
  );
  const positions = new Map<string, { onHand: Decimal; allocated: Decimal }>();
  const at = (key: string) => positions.get(key) ?? positions.set(key, { onHand: new Decimal(0), allocated: new Decimal(0) }).get(key)!;
  for (const row of stock.rows) at(`${row.sku}|${row.wh}`).onHand = new Decimal(row.on_hand);
  for (const row of alloc.rows) at(`${row.sku}|${row.wh}`).allocated = new Decimal(row.allocated);
  const result = new Map<string, string>();
  for (const [key, p] of positions) result.set(key, `${fixed3(p.onHand)}/${fixed3(p.allocated)}/${fixed3(p.onHand.minus(p.allocated))}`);
  return result;
}

export async function actualInventory(hub: pg.Client): Promise<Map<string, string>> {
  const { rows } = await hub.query<{ key: string; v: string }>(
    `SELECT "sku" || '|' || "warehouseCode" AS key, "onHand"::text || '/' || "allocated"::text || '/' || "available"::text AS v FROM "InventoryPosition"`,
  );
  return new Map(rows.map((r) => [r.key, r.v]));
}

/** OrderStatusView recomputed from the ERP order and invoice and the WMS fulfilments and shipments: "stage/erpStatus/customer". */
export async function expectedOrderStatuses(erp: pg.Client, wms: pg.Client): Promise<Map<string, string>> {
  const orders = await erp.query<{ num: string; status: string; cust: string; invoiced: boolean }>(
    `SELECT o."orderNumber" AS num, o.status::text AS status, o."customerNumber" AS cust, EXISTS (SELECT 1 FROM "Invoice" i WHERE i."orderId" = o.id) AS invoiced FROM "SalesOrder" o`,
  );
  const facts = async (table: string) => {
    const { rows } = await wms.query<{ num: string; statuses: string[] }>(
      `SELECT "orderNumber" AS num, array_agg(status::text) AS statuses FROM "${table}" GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.num, r.statuses]));
  };
  const fulfillments = await facts("FulfillmentOrder");
  const shipments = await facts("Shipment");
  const result = new Map<string, string>();
  const known = new Map(orders.rows.map((o) => [o.num, o]));
  for (const num of new Set([...known.keys(), ...fulfillments.keys(), ...shipments.keys()])) {
    const order = known.get(num);
    const stage = deriveOrderStage({
      erpStatus: order?.status ?? null,
      invoiced: order?.invoiced ?? false,
      fulfillmentStatuses: fulfillments.get(num) ?? [],
      shipmentStatuses: shipments.get(num) ?? [],
    });
    result.set(num, `${stage}/${order?.status ?? ""}/${order?.cust ?? ""}`);
  }
  return result;
}

export async function actualOrderStatuses(hub: pg.Client): Promise<Map<string, string>> {
  const { rows } = await hub.query<{ key: string; v: string }>(
    `SELECT "orderNumber" AS key, "stage" || '/' || COALESCE("erpStatus", '') || '/' || COALESCE("customerNumber", '') AS v FROM "OrderStatusView"`,
  );
  return new Map(rows.map((r) => [r.key, r.v]));
}

/**
 * Checks every entity's feed history is one unbroken chain of real transitions: each entry's
 * "previous" equals the entry before it, consecutive entries differ (a redelivered change
 * would repeat one), and the last entry equals the read model. Returns the problems found.
 */
export async function feedChainProblems(hub: pg.Client): Promise<{ problems: string[]; entries: number; keys: number }> {
  const { rows } = await hub.query<{ type: string; key: string; p: Record<string, string | null> }>(
    `SELECT "entityType" AS type, "entityKey" AS key, payload AS p FROM "ChangeFeedEntry" WHERE "entityType" IN ('InventoryPosition', 'OrderStatus') ORDER BY "cursor"`,
  );
  const inventory = await actualInventory(hub);
  const orders = await actualOrderStatuses(hub);
  const last = new Map<string, Record<string, string | null>>();
  const problems: string[] = [];
  // Feed payloads carry canonical decimals ("30"); the table keeps the column scale ("30.000").
  const n3 = (v: string | null | undefined) => (v === null || v === undefined ? null : new Decimal(v).toFixed(3));
  for (const { type, key, p: raw } of rows) {
    const id = `${type}:${key}`;
    const p =
      type === "InventoryPosition" ? { ...raw, onHand: n3(raw["onHand"]), allocated: n3(raw["allocated"]), previousOnHand: n3(raw["previousOnHand"]) } : raw;
    const before = last.get(id);
    if (type === "InventoryPosition") {
      const previous = before ? before["onHand"] : null;
      if (before && p["previousOnHand"] !== previous) problems.push(`${id}: previousOnHand ${p["previousOnHand"]} after onHand ${previous}`);
      if (before && before["onHand"] === p["onHand"] && before["allocated"] === p["allocated"])
        problems.push(`${id}: repeated ${p["onHand"]}/${p["allocated"]}`);
    } else {
      if (before && p["previousStage"] !== before["stage"]) problems.push(`${id}: previousStage ${p["previousStage"]} after ${before["stage"]}`);
      if (before && before["stage"] === p["stage"]) problems.push(`${id}: repeated stage ${p["stage"]}`);
    }
    last.set(id, p);
  }
  for (const [id, p] of last) {
    const [type, key] = [id.slice(0, id.indexOf(":")), id.slice(id.indexOf(":") + 1)];
    const now = type === "InventoryPosition" ? inventory.get(key)?.split("/").slice(0, 2).join("/") : orders.get(key)?.split("/")[0];
    const fed = type === "InventoryPosition" ? `${p["onHand"]}/${p["allocated"]}` : p["stage"];
    if (now !== fed) problems.push(`${id}: feed ends at ${fed}, read model has ${now}`);
  }
  return { problems, entries: rows.length, keys: last.size };
}
