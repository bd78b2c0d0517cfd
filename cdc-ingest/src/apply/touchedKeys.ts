// Which read-model keys a batch touched: inventory positions (sku x warehouse) and orders,
// found from the mirror rows the batch changed and, for ERP order lines and invoices, from the
// mirrored orders they belong to. Each key is kept once, with the newest commit that touched it.
import type { SqlSession } from "@crossdock/platform";
import { openAllocationRefreshCtes, type InventoryKey } from "./inventoryProjection.js";
import type { OrderKey } from "./orderStatusProjection.js";
import type { MirrorWrite, PlainRow } from "./mirrorChanges.js";

const str = (row: PlainRow, column: string): string | null => {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
};

export class TouchedKeys {
  private readonly inventoryKeys = new Map<string, InventoryKey>();
  private readonly orderKeys = new Map<string, OrderKey>();

  addInventory(sku: string, warehouseCode: string, committedAt: Date): void {
    const id = `${sku}\u0000${warehouseCode}`;
    const known = this.inventoryKeys.get(id);
    if (!known || known.committedAt < committedAt) this.inventoryKeys.set(id, { sku, warehouseCode, committedAt });
  }

  addOrder(orderNumber: string, committedAt: Date): void {
    const known = this.orderKeys.get(orderNumber);
    if (!known || known.committedAt < committedAt) this.orderKeys.set(orderNumber, { orderNumber, committedAt });
  }

  get inventory(): InventoryKey[] {
    return [...this.inventoryKeys.values()];
  }

  get orders(): OrderKey[] {
    return [...this.orderKeys.values()];
  }
}

/** Keys the changed rows name themselves: stock and reorder-point rows their position, orders, fulfilments and shipments their order. */
export function collectDirectKeys(changed: readonly MirrorWrite[], keys: TouchedKeys): void {
  for (const w of changed) {
    const stock = w.table === "Stock" || w.table === "ReorderPoint";
    const ordered = w.table === "SalesOrder" || w.table === "FulfillmentOrder" || w.table === "Shipment";
    if (!stock && !ordered) continue;
    for (const image of w.images) {
      if (stock) {
        const sku = str(image, "sku");
        const wh = str(image, "warehouseCode");
        if (sku && wh) keys.addInventory(sku, wh, w.committedAt);
      } else {
        const num = str(image, "orderNumber");
        if (num) keys.addOrder(num, w.committedAt);
      }
    }
  }
}

/** ERP orders whose open allocations may have moved: changed orders and the orders of changed lines (old and new). */
function touchedOrderIds(writes: readonly MirrorWrite[]): string[] {
  const ids = new Set<string>();
  for (const w of writes) {
    if (w.table === "SalesOrder") ids.add(w.sourceId);
    if (w.table !== "SalesOrderLine") continue;
    for (const image of w.images) {
      const id = str(image, "orderId");
      if (id !== null) ids.add(id);
    }
  }
  return [...ids];
}

interface OrderLineRow {
  sku: string | null;
  wh: string | null;
  num: string | null;
  orderId: string;
  lineId: string | null;
}

/**
 * Inventory keys and orders touched through ERP order lines and invoices need the mirrored order
 * rows. The open allocations of the touched orders are refreshed in the same statement (one
 * round trip less per batch); the positions read them in a later statement, which sees them.
 */
export async function resolveOrderLineKeys(session: SqlSession, writes: readonly MirrorWrite[], keys: TouchedKeys): Promise<void> {
  const lineIds: string[] = [];
  const orderWrites: MirrorWrite[] = [];
  const invoiceOrderIds = new Set<string>();
  const committed = new Map<string, Date>();
  for (const w of writes) {
    if (w.table === "SalesOrderLine") lineIds.push(w.sourceId);
    else if (w.table === "SalesOrder") orderWrites.push(w);
    else if (w.table === "Invoice") {
      for (const image of w.images) {
        const id = str(image, "orderId");
        if (id !== null) invoiceOrderIds.add(id);
      }
    } else continue;
    committed.set(`${w.table}|${w.sourceId}`, w.committedAt);
  }
  if (lineIds.length === 0 && orderWrites.length === 0 && invoiceOrderIds.size === 0) return;
  const orderIds = orderWrites.map((w) => w.sourceId);
  // The touched order ids first, then every lookup is an index probe driven by one id in hand:
  // the lines' orders by primary key, the orders by primary key and their lines by the
  // order-id index. Driven from the id list (not `= ANY(array)` inside the join, which makes
  // Postgres sort the whole array again for every order probed), the cost stays per key.
  const rows = await session.query<OrderLineRow>(
    `WITH ${openAllocationRefreshCtes("$4")},
     ids AS (
       SELECT DISTINCT s.id FROM (
         SELECT unnest($1::text[]) AS id UNION ALL SELECT unnest($3::text[])
         UNION ALL SELECT x."data"->>'orderId' FROM unnest($2::text[]) AS k(id)
           JOIN "SourceRow" x ON x."source" = 'erp' AND x."tableName" = 'SalesOrderLine' AND x."sourceId" = k.id) s
       WHERE s.id IS NOT NULL)
     SELECT l."data"->>'sku' AS sku, o."data"->>'warehouseCode' AS wh, o."data"->>'orderNumber' AS num, o."sourceId" AS "orderId", l."sourceId" AS "lineId"
     FROM ids
     JOIN "SourceRow" o ON o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND o."sourceId" = ids.id
     LEFT JOIN "SourceRow" l ON l."source" = 'erp' AND l."tableName" = 'SalesOrderLine' AND l."data"->>'orderId' = ids.id`,
    [orderIds, lineIds, [...invoiceOrderIds], touchedOrderIds(writes)],
  );
  const batchTime = writes.reduce((max, w) => (w.committedAt > max ? w.committedAt : max), new Date(0));
  const lineSet = new Set(lineIds);
  const orderSet = new Set(orderIds);
  // An order may have moved warehouse: its lines touch the old warehouse too.
  const warehousesByOrder = new Map<string, Set<string>>();
  for (const w of orderWrites) {
    const set = new Set<string>();
    for (const image of w.images) {
      const wh = str(image, "warehouseCode");
      if (wh) set.add(wh);
    }
    warehousesByOrder.set(w.sourceId, set);
  }
  const warehouseOfOrder = new Map<string, string>();
  for (const row of rows) {
    if (row.wh) warehouseOfOrder.set(row.orderId, row.wh);
    const at = committed.get(`SalesOrderLine|${row.lineId}`) ?? committed.get(`SalesOrder|${row.orderId}`) ?? batchTime;
    if (row.num) keys.addOrder(row.num, at);
    if (!row.sku) continue;
    if (!(row.lineId && lineSet.has(row.lineId)) && !orderSet.has(row.orderId)) continue;
    const warehouses = new Set(warehousesByOrder.get(row.orderId) ?? []);
    if (row.wh) warehouses.add(row.wh);
    for (const wh of warehouses) keys.addInventory(row.sku, wh, at);
  }
  // Lines deleted with their order are gone from the mirror join: use their images.
  for (const w of writes) {
    if (w.table !== "SalesOrderLine" || !w.deleted) continue;
    for (const image of w.images) {
      const sku = str(image, "sku");
      const orderId = str(image, "orderId");
      const wh = orderId === null ? undefined : warehouseOfOrder.get(orderId);
      if (sku && wh) keys.addInventory(sku, wh, w.committedAt);
    }
  }
}
