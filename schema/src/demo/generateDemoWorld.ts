// Builds the deterministic demo world (seeded RNG, fixed anchor date) that the ERP, CRM
// and WMS each seed their own slice of. It must stay pure: no I/O, no clock, no Math.random,
// so every system derives the very same orders, quantities and keys on every machine.
import { Decimal } from "../decimal.js";
import { SeededRandom } from "./random.js";
import * as catalog from "./catalog.js";
import { OrderPlanner } from "./planOrder.js";
import type { DemoCustomer, DemoCustomerPrice, DemoProduct, DemoStock, DemoWarehouse, DemoWorld, DemoWorldOptions } from "./types.js";

export const DEMO_ANCHOR = "2026-11-01T00:00:00.000Z";
const DAY_MS = 86_400_000;

function money(rng: SeededRandom, min: number, max: number): string {
  return new Decimal(rng.int(min * 100, max * 100)).div(100).toFixed(2);
}

function buildWarehouses(): DemoWarehouse[] {
  return catalog.WAREHOUSES.map((w) => ({
    ...w,
    bins: Array.from({ length: 24 }, (_, i) => `${String.fromCharCode(65 + Math.floor(i / 8))}-${String((i % 8) + 1).padStart(2, "0")}`),
  }));
}

function buildProducts(rng: SeededRandom, count: number): DemoProduct[] {
  return Array.from({ length: count }, (_, i) => {
    const family = rng.pick(catalog.PRODUCT_FAMILIES);
    const weight = new Decimal(rng.int(family.weight[0] * 100, family.weight[1] * 100)).div(100);
    return {
      sku: `SKU-${String(i + 1).padStart(5, "0")}`,
      description: `${rng.pick(catalog.PRODUCT_GRADES)} ${family.noun} ${rng.pick(family.sizes)}`,
      listPrice: money(rng, family.price[0], family.price[1]),
      unitOfMeasure: family.uom,
      unitWeightKg: weight.toFixed(3),
      reorderPoint: String(rng.pick([20, 40, 60])),
    };
  });
}

function buildCustomers(rng: SeededRandom, count: number): DemoCustomer[] {
  return Array.from({ length: count }, (_, i) => {
    const roll = rng.next();
    const status = roll < 0.05 ? "BLOCKED" : roll < 0.12 ? "CREDIT_HOLD" : "ACTIVE";
    const number = 10001 + i;
    const contacts = Array.from({ length: rng.int(1, 3) }, (_, c) => {
      const first = rng.pick(catalog.FIRST_NAMES);
      const last = rng.pick(catalog.LAST_NAMES);
      return {
        contactId: `CT-${number}-${c + 1}`,
        name: `${first} ${last}`,
        email: `${first}.${last}@customer${number}.example`.toLowerCase(),
        phone: `+1-555-${String(rng.int(100, 999))}-${String(rng.int(1000, 9999))}`,
        role: rng.pick(catalog.CONTACT_ROLES),
      };
    });
    return {
      customerNumber: `C-${number}`,
      name: `${rng.pick(catalog.COMPANY_PREFIXES)} ${rng.pick(catalog.COMPANY_KINDS)} ${rng.pick(catalog.COMPANY_SUFFIXES)}`,
      status,
      creditLimit: String(rng.int(5, 250) * 1000) + ".00",
      openBalance: "0.00",
      paymentTerms: rng.pick(["NET30", "NET45", "NET60"]),
      currency: "USD",
      accountId: `ACC-${number}`,
      owner: rng.pick(catalog.SALES_REPS),
      segment: rng.pick(catalog.SEGMENTS),
      contacts,
    };
  });
}

function buildCustomerPrices(rng: SeededRandom, customers: DemoCustomer[], products: DemoProduct[]): DemoCustomerPrice[] {
  const prices: DemoCustomerPrice[] = [];
  for (const customer of customers) {
    if (!rng.chance(0.3)) continue;
    const skus = new Set<string>();
    while (skus.size < 5) skus.add(rng.pick(products).sku);
    for (const sku of skus) {
      const product = products.find((p) => p.sku === sku)!;
      const discount = new Decimal(rng.int(85, 95)).div(100);
      prices.push({ customerNumber: customer.customerNumber, sku, unitPrice: new Decimal(product.listPrice).mul(discount).toDecimalPlaces(2).toFixed(2) });
    }
  }
  return prices;
}

function buildStock(rng: SeededRandom, products: DemoProduct[], warehouses: DemoWarehouse[]): DemoStock[] {
  const stock: DemoStock[] = [];
  for (const product of products) {
    const stocked = warehouses.filter(() => rng.chance(0.75));
    for (const warehouse of stocked.length > 0 ? stocked : [rng.pick(warehouses)]) {
      const received = String(rng.int(30, 300) * 10);
      stock.push({ sku: product.sku, warehouseCode: warehouse.code, bin: rng.pick(warehouse.bins), received, shipped: "0", onHand: received, reserved: "0" });
    }
  }
  return stock;
}

export function generateDemoWorld(options: DemoWorldOptions = {}): DemoWorld {
  const scale = options.scale ?? 1;
  const rng = new SeededRandom(options.seed ?? 20261101);
  const anchor = Date.parse(DEMO_ANCHOR);
  const warehouses = buildWarehouses();
  const products = buildProducts(rng, Math.max(20, Math.round(500 * scale)));
  const customers = buildCustomers(rng, Math.max(10, Math.round(200 * scale)));
  const customerPrices = buildCustomerPrices(rng, customers, products);
  const stock = buildStock(rng, products, warehouses);
  const world: DemoWorld = { warehouses, products, customers, customerPrices, stock, orders: [], cases: [], timeline: [], anchor: DEMO_ANCHOR };

  const orderCount = Math.max(40, Math.round(2000 * scale));
  const planner = new OrderPlanner(world, rng);
  for (let i = 0; i < orderCount; i++) {
    // Spread orders over the 120 days before the anchor, oldest first, so numbers rise with time.
    const placedAt = new Date(anchor - 120 * DAY_MS + Math.floor(((i + rng.next()) / orderCount) * 120 * DAY_MS));
    planner.plan(i, placedAt, (anchor - placedAt.getTime()) / DAY_MS);
  }

  for (let i = 0; i < Math.round(60 * scale); i++) {
    const customer = rng.pick(customers);
    const theirs = world.orders.filter((o) => o.customerNumber === customer.customerNumber);
    const order = theirs.length > 0 && rng.chance(0.6) ? rng.pick(theirs) : null;
    world.cases.push({
      caseNumber: `CS-${String(world.cases.length + 1).padStart(6, "0")}`,
      customerNumber: customer.customerNumber,
      orderNumber: order?.orderNumber ?? null,
      subject: rng.pick(catalog.CASE_SUBJECTS),
      status: rng.pick(["OPEN", "IN_PROGRESS", "RESOLVED", "RESOLVED"] as const),
      priority: rng.pick(["LOW", "MEDIUM", "MEDIUM", "HIGH"] as const),
      openedAt: new Date(anchor - rng.int(1, 90) * DAY_MS).toISOString(),
    });
  }
  return world;
}
