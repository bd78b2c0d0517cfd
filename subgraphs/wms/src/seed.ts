// Seeds the WMS's slice of the shared demo world: warehouses and bins, stock with the
// movements that explain it (onHand = Σ movements), fulfilments, shipments and milestones.
// It only ever fills an empty database and writes nothing the demo world does not imply.
import { DEMO_ANCHOR, generateDemoWorld, Decimal, type DemoWorld } from "@crossdock/schema";
import type { Prisma } from "./__generated__/prisma/client.js";
import type { WmsPrisma, WmsTransaction } from "./db.js";

const CHUNK = 1000;
// Opening stock was received before the demo's 120 days of orders; the shipped totals are
// booked as one movement at the anchor, because the demo world keeps per-row totals only.
const OPENING_RECEIPT_AT = new Date(Date.parse(DEMO_ANCHOR) - 121 * 86_400_000);
const SHIPMENTS_BOOKED_AT = new Date(DEMO_ANCHOR);

async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

export interface SeedSummary {
  warehouses: number;
  stockRows: number;
  movements: number;
  fulfillments: number;
  shipments: number;
}

export async function isDatabaseEmpty(prisma: WmsPrisma): Promise<boolean> {
  return (await prisma.warehouse.count()) === 0;
}

export function wmsSlice(world: DemoWorld) {
  const warehouses = world.warehouses.map(({ code, name, region }) => ({ code, name, region }));
  const bins = world.warehouses.flatMap((w) => w.bins.map((code) => ({ warehouseCode: w.code, code })));
  const stock = world.stock.map((s) => ({
    sku: s.sku,
    warehouseCode: s.warehouseCode,
    binCode: s.bin,
    onHand: s.onHand,
    reserved: s.reserved,
    updatedAt: SHIPMENTS_BOOKED_AT,
  }));
  const movements: Prisma.StockMovementCreateManyInput[] = [];
  for (const s of world.stock) {
    movements.push({
      sku: s.sku,
      warehouseCode: s.warehouseCode,
      binCode: s.bin,
      quantity: s.received,
      reason: "RECEIPT",
      reference: "DEMO-OPENING-STOCK",
      occurredAt: OPENING_RECEIPT_AT,
    });
    // A zero movement would explain nothing; rows that never shipped have the receipt only.
    if (!new Decimal(s.shipped).isZero()) {
      movements.push({
        sku: s.sku,
        warehouseCode: s.warehouseCode,
        binCode: s.bin,
        quantity: new Decimal(s.shipped).negated().toFixed(),
        reason: "SHIPMENT",
        reference: "DEMO-SHIPMENTS",
        occurredAt: SHIPMENTS_BOOKED_AT,
      });
    }
  }
  const fulfillments: Prisma.FulfillmentOrderCreateManyInput[] = [];
  const lines: Prisma.FulfillmentLineCreateManyInput[] = [];
  const shipments: Prisma.ShipmentCreateManyInput[] = [];
  const milestones: Prisma.ShipmentMilestoneCreateManyInput[] = [];
  for (const order of world.orders) {
    const f = order.fulfillment;
    if (!f) continue;
    const lastEvent =
      f.shipments
        .flatMap((s) => s.milestones.map((m) => m.occurredAt))
        .sort()
        .at(-1) ?? f.createdAt;
    fulfillments.push({
      fulfillmentId: f.fulfillmentId,
      orderNumber: order.orderNumber,
      warehouseCode: order.warehouseCode,
      status: f.status,
      createdAt: f.createdAt,
      updatedAt: lastEvent,
    });
    for (const line of f.lines) {
      const shipped = order.lines.find((l) => l.sku === line.sku)?.quantityShipped ?? "0";
      lines.push({
        fulfillmentId: f.fulfillmentId,
        sku: line.sku,
        binCode: line.bin,
        quantity: line.quantity,
        quantityPicked: line.quantityPicked,
        quantityShipped: shipped,
      });
    }
    for (const s of f.shipments) {
      shipments.push({
        shipmentId: s.shipmentId,
        fulfillmentId: f.fulfillmentId,
        orderNumber: order.orderNumber,
        carrier: s.carrier,
        trackingNumber: s.trackingNumber,
        status: s.status,
        shippedAt: s.shippedAt,
        deliveredAt: s.deliveredAt,
      });
      for (const m of s.milestones) milestones.push({ shipmentId: s.shipmentId, code: m.code, location: m.location, note: m.note, occurredAt: m.occurredAt });
    }
  }
  return { warehouses, bins, stock, movements, fulfillments, lines, shipments, milestones, reorderPoints: demoReorderPoints(world) };
}

/**
 * Reorder points for the demo: every position gets one, and every third (in sku, warehouse order)
 * sits above its stock, so the dashboard's low-stock view and alerts have something to show.
 */
export function demoReorderPoints(world: DemoWorld): Prisma.ReorderPointCreateManyInput[] {
  const onHand = new Map<string, Decimal>();
  for (const s of world.stock) {
    const key = `${s.sku}\u0000${s.warehouseCode}`;
    onHand.set(key, (onHand.get(key) ?? new Decimal(0)).plus(s.onHand));
  }
  return [...onHand.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, total], index) => {
      const [sku, warehouseCode] = key.split("\u0000") as [string, string];
      const point = index % 3 === 0 ? total.plus(10).toDecimalPlaces(0, Decimal.ROUND_UP) : total.div(4).toDecimalPlaces(0, Decimal.ROUND_DOWN);
      return {
        sku,
        warehouseCode,
        reorderPoint: point.toFixed(),
        safetyStock: point.div(5).toDecimalPlaces(0, Decimal.ROUND_DOWN).toFixed(),
        updatedAt: SHIPMENTS_BOOKED_AT,
      };
    });
}

export async function seedDemoSlice(prisma: WmsPrisma, scale: number): Promise<SeedSummary> {
  const slice = wmsSlice(generateDemoWorld({ scale }));
  const write = async (tx: WmsTransaction) => {
    await tx.warehouse.createMany({ data: slice.warehouses });
    await inChunks(slice.bins, (data) => tx.bin.createMany({ data }));
    await inChunks(slice.stock, (data) => tx.stock.createMany({ data }));
    await inChunks(slice.movements, (data) => tx.stockMovement.createMany({ data }));
    await inChunks(slice.fulfillments, (data) => tx.fulfillmentOrder.createMany({ data }));
    await inChunks(slice.lines, (data) => tx.fulfillmentLine.createMany({ data }));
    await inChunks(slice.shipments, (data) => tx.shipment.createMany({ data }));
    await inChunks(slice.milestones, (data) => tx.shipmentMilestone.createMany({ data }));
    await inChunks(slice.reorderPoints, (data) => tx.reorderPoint.createMany({ data }));
  };
  // One transaction: a crash half-way leaves an empty database that the next start seeds again.
  await prisma.$transaction(write, { maxWait: 60_000, timeout: 600_000 });
  return {
    warehouses: slice.warehouses.length,
    stockRows: slice.stock.length,
    movements: slice.movements.length,
    fulfillments: slice.fulfillments.length,
    shipments: slice.shipments.length,
  };
}
