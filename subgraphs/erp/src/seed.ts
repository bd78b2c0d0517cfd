// Seeds the ERP's slice of the shared demo world (customers with credit, products, contract
// prices, the inventory ledger, historical orders with lines and invoices) into an empty
// database, then moves the order-number sequence past the seeded orders. It never seeds twice.
import { generateDemoWorld, type DemoWorld } from "@crossdock/schema";
import type { ErpPrisma } from "./db.js";
import type { ErpTransaction } from "./writes/transaction.js";

const CHUNK = 1000;

export interface ErpSeedSummary {
  customers: number;
  products: number;
  customerPrices: number;
  ledgerRows: number;
  orders: number;
  orderLines: number;
  invoices: number;
}

function chunks<T>(rows: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) result.push(rows.slice(i, i + CHUNK));
  return result;
}

export async function isErpDatabaseEmpty(prisma: ErpPrisma): Promise<boolean> {
  const [customers, products] = await Promise.all([prisma.customer.count(), prisma.product.count()]);
  return customers === 0 && products === 0;
}

async function seedMasterData(tx: ErpTransaction, world: DemoWorld): Promise<void> {
  for (const chunk of chunks(world.customers)) {
    await tx.customer.createMany({
      data: chunk.map((c) => ({
        customerNumber: c.customerNumber,
        name: c.name,
        status: c.status,
        creditLimit: c.creditLimit,
        openBalance: c.openBalance,
        paymentTerms: c.paymentTerms,
        currency: c.currency,
      })),
    });
  }
  for (const chunk of chunks(world.products)) {
    await tx.product.createMany({
      data: chunk.map((p) => ({
        sku: p.sku,
        description: p.description,
        listPrice: p.listPrice,
        unitOfMeasure: p.unitOfMeasure,
        unitWeightKg: p.unitWeightKg,
        reorderPoint: p.reorderPoint,
      })),
    });
  }
  for (const chunk of chunks(world.customerPrices)) await tx.customerPrice.createMany({ data: chunk });
  for (const chunk of chunks(world.stock)) {
    await tx.inventoryLedger.createMany({ data: chunk.map((s) => ({ sku: s.sku, warehouseCode: s.warehouseCode, onHand: s.onHand })) });
  }
}

async function seedOrders(tx: ErpTransaction, world: DemoWorld): Promise<{ lines: number; invoices: number }> {
  const orderIds = new Map<string, number>();
  for (const chunk of chunks(world.orders)) {
    const created = await tx.salesOrder.createManyAndReturn({
      data: chunk.map((o) => ({
        orderNumber: o.orderNumber,
        customerNumber: o.customerNumber,
        status: o.status,
        warehouseCode: o.warehouseCode,
        total: o.total,
        currency: o.currency,
        placedAt: new Date(o.placedAt),
        billingHold: o.billingHold,
        channel: o.channel,
        externalReference: o.externalReference,
        updatedAt: new Date(o.placedAt),
      })),
      select: { id: true, orderNumber: true },
    });
    for (const row of created) orderIds.set(row.orderNumber, row.id);
  }
  const lines = world.orders.flatMap((o) =>
    o.lines.map((l) => ({
      orderId: orderIds.get(o.orderNumber)!,
      lineNumber: l.lineNumber,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      quantityShipped: l.quantityShipped,
    })),
  );
  for (const chunk of chunks(lines)) await tx.salesOrderLine.createMany({ data: chunk });
  const invoices = world.orders.flatMap((o) =>
    o.invoice
      ? [
          {
            invoiceNumber: o.invoice.invoiceNumber,
            orderId: orderIds.get(o.orderNumber)!,
            amount: o.invoice.amount,
            status: o.invoice.status,
            // A seeded PAID invoice was settled in full before the hub's history starts.
            paidAmount: o.invoice.status === "PAID" ? o.invoice.amount : "0",
            issuedAt: new Date(o.invoice.issuedAt),
          },
        ]
      : [],
  );
  for (const chunk of chunks(invoices)) await tx.invoice.createMany({ data: chunk });
  return { lines: lines.length, invoices: invoices.length };
}

export async function seedErp(prisma: ErpPrisma, options: { scale: number }): Promise<ErpSeedSummary> {
  const world = generateDemoWorld({ scale: options.scale });
  return prisma.$transaction(
    async (tx) => {
      await seedMasterData(tx, world);
      const { lines, invoices } = await seedOrders(tx, world);
      // New orders continue after the highest seeded number (the demo skips some numbers).
      await tx.$queryRaw`
        SELECT setval('"SalesOrderNumber_seq"', COALESCE(
          (SELECT MAX(CAST(SUBSTRING("orderNumber" FROM 4) AS BIGINT)) FROM "SalesOrder" WHERE "orderNumber" ~ '^SO-[0-9]+$'),
          100000))::text AS "value"`;
      return {
        customers: world.customers.length,
        products: world.products.length,
        customerPrices: world.customerPrices.length,
        ledgerRows: world.stock.length,
        orders: world.orders.length,
        orderLines: lines,
        invoices,
      };
    },
    { maxWait: 30_000, timeout: 600_000 },
  );
}
