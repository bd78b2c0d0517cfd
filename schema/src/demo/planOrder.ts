// Plans one historical order through the stage its age suggests, and books its effects on
// stock (reserved, shipped), the customer's open balance, the CRM timeline and exception
// cases, so the three systems' slices of the demo world agree with each other.
import { Decimal } from "../decimal.js";
import type { SeededRandom } from "./random.js";
import * as catalog from "./catalog.js";
import type { DemoCustomer, DemoFulfillment, DemoOrder, DemoOrderLine, DemoOrderStatus, DemoShipment, DemoStock, DemoWorld } from "./types.js";

const HOUR_MS = 3_600_000;

function pickStatus(rng: SeededRandom, customer: DemoCustomer, ageDays: number): DemoOrderStatus {
  if (customer.status === "CREDIT_HOLD" && ageDays < 20) return "CREDIT_HOLD";
  const r = rng.next();
  if (ageDays < 2) return r < 0.08 ? "CREDIT_HOLD" : r < 0.85 ? "RELEASED" : "PARTIALLY_SHIPPED";
  if (ageDays < 5) return r < 0.25 ? "RELEASED" : r < 0.35 ? "PARTIALLY_SHIPPED" : r < 0.5 ? "SHIPPED" : r < 0.95 ? "INVOICED" : "CANCELLED";
  if (ageDays < 30) return r < 0.7 ? "INVOICED" : r < 0.95 ? "CLOSED" : "CANCELLED";
  return r < 0.06 ? "CANCELLED" : r < 0.12 ? "INVOICED" : "CLOSED";
}

export class OrderPlanner {
  private readonly stockByWarehouse = new Map<string, DemoStock[]>();
  private readonly prices = new Map<string, string>();
  private readonly listPrices = new Map<string, string>();
  private readonly orderingCustomers: DemoCustomer[];

  constructor(
    private readonly world: DemoWorld,
    private readonly rng: SeededRandom,
  ) {
    for (const row of world.stock) {
      const rows = this.stockByWarehouse.get(row.warehouseCode) ?? [];
      rows.push(row);
      this.stockByWarehouse.set(row.warehouseCode, rows);
    }
    for (const p of world.customerPrices) this.prices.set(`${p.customerNumber}|${p.sku}`, p.unitPrice);
    for (const p of world.products) this.listPrices.set(p.sku, p.listPrice);
    this.orderingCustomers = world.customers.filter((c) => c.status !== "BLOCKED");
  }

  plan(sequence: number, placedAt: Date, ageDays: number): void {
    const { rng, world } = this;
    const customer = rng.pick(this.orderingCustomers);
    const warehouse = rng.pick(world.warehouses);
    let status = pickStatus(rng, customer, ageDays);
    const candidates = this.stockByWarehouse.get(warehouse.code) ?? [];
    const chosen = new Map<string, DemoStock>();
    const lineCount = rng.int(1, 5);
    for (let attempt = 0; chosen.size < lineCount && attempt < 20; attempt++) {
      const row = rng.pick(candidates);
      chosen.set(row.sku, row);
    }
    const lines: DemoOrderLine[] = [];
    for (const row of chosen.values()) {
      const free = new Decimal(row.onHand).minus(row.reserved);
      const quantity = Decimal.min(free, rng.int(1, 24));
      if (quantity.lte(0)) continue;
      const unitPrice = this.prices.get(`${customer.customerNumber}|${row.sku}`) ?? this.listPrices.get(row.sku)!;
      lines.push({ lineNumber: lines.length + 1, sku: row.sku, quantity: quantity.toFixed(), unitPrice, quantityShipped: "0" });
    }
    if (lines.length === 0) return;
    // A partial shipment needs at least one line left behind.
    if (status === "PARTIALLY_SHIPPED" && lines.length < 2) status = "RELEASED";
    const total = lines.reduce((sum, l) => sum.plus(new Decimal(l.quantity).mul(l.unitPrice)), new Decimal(0));
    const orderNumber = `SO-${100001 + sequence}`;
    const order: DemoOrder = {
      orderNumber,
      customerNumber: customer.customerNumber,
      warehouseCode: warehouse.code,
      status,
      channel: rng.pick(catalog.CHANNELS),
      externalReference: `PO-${customer.customerNumber.slice(2)}-${rng.int(1000, 9999)}`,
      placedAt: placedAt.toISOString(),
      currency: customer.currency,
      billingHold: false,
      total: total.toFixed(2),
      lines,
      invoice: null,
      fulfillment: null,
    };
    world.orders.push(order);
    this.timeline(order, placedAt, "ORDER_SUBMITTED", `Order ${orderNumber} submitted via ${order.channel} (${order.total} ${order.currency})`);
    if (status === "CREDIT_HOLD") {
      this.timeline(order, placedAt, "ORDER_CREDIT_HOLD", `Order ${orderNumber} held: credit limit exceeded`);
      return;
    }
    this.timeline(order, new Date(placedAt.getTime() + 60_000), "ORDER_RELEASED", `Order ${orderNumber} released to ${warehouse.code}`);
    if (status === "CANCELLED") {
      this.timeline(order, new Date(placedAt.getTime() + 2 * HOUR_MS), "ORDER_CANCELLED", `Order ${orderNumber} cancelled at the customer's request`);
      order.fulfillment = this.fulfillment(order, placedAt, "CANCELLED");
      return;
    }
    this.fulfil(order, placedAt, status, chosen);
  }

  private fulfil(order: DemoOrder, placedAt: Date, status: DemoOrderStatus, stock: Map<string, DemoStock>): void {
    const { rng } = this;
    const shipLines = status === "RELEASED" ? [] : status === "PARTIALLY_SHIPPED" ? order.lines.slice(0, Math.max(1, order.lines.length - 1)) : order.lines;
    const fulfillmentStatus = status === "RELEASED" ? rng.pick(["RELEASED", "PICKING"] as const) : status === "PARTIALLY_SHIPPED" ? "PICKING" : "SHIPPED";
    const fulfillment = this.fulfillment(order, placedAt, fulfillmentStatus);
    order.fulfillment = fulfillment;
    let shippedValue = new Decimal(0);
    for (const line of order.lines) {
      const row = stock.get(line.sku)!;
      const shipped = shipLines.includes(line);
      if (shipped) {
        line.quantityShipped = line.quantity;
        row.shipped = new Decimal(row.shipped).plus(line.quantity).toFixed();
        row.onHand = new Decimal(row.received).minus(row.shipped).toFixed();
        shippedValue = shippedValue.plus(new Decimal(line.quantity).mul(line.unitPrice));
      } else {
        row.reserved = new Decimal(row.reserved).plus(line.quantity).toFixed();
      }
      const fl = fulfillment.lines.find((l) => l.sku === line.sku)!;
      fl.quantityPicked = shipped ? line.quantity : fulfillmentStatus === "PICKING" && rng.chance(0.5) ? "1" : "0";
    }
    const customer = this.world.customers.find((c) => c.customerNumber === order.customerNumber)!;
    if (shippedValue.gt(0)) fulfillment.shipments.push(this.shipment(order, placedAt, status));
    if (status === "INVOICED" || status === "CLOSED") {
      const shipment = fulfillment.shipments[0]!;
      order.invoice = {
        invoiceNumber: `INV-${order.orderNumber.slice(3)}`,
        amount: order.total,
        status: status === "CLOSED" ? "PAID" : "OPEN",
        issuedAt: shipment.shippedAt,
      };
      if (shipment.status === "EXCEPTION") order.billingHold = true;
    }
    if (status !== "CLOSED") customer.openBalance = new Decimal(customer.openBalance).plus(order.total).toFixed(2);
    if (customer.status === "ACTIVE" && new Decimal(customer.openBalance).gt(customer.creditLimit)) {
      // Keep active customers able to order: the demo never starts a customer over limit.
      customer.creditLimit = new Decimal(customer.openBalance).mul(1.5).div(1000).ceil().mul(1000).toFixed(2);
    }
  }

  private fulfillment(order: DemoOrder, placedAt: Date, status: DemoFulfillment["status"]): DemoFulfillment {
    const warehouse = this.world.warehouses.find((w) => w.code === order.warehouseCode)!;
    const stock = this.stockByWarehouse.get(warehouse.code)!;
    return {
      fulfillmentId: `FF-${order.orderNumber.slice(3)}`,
      status,
      createdAt: new Date(placedAt.getTime() + 2 * 60_000).toISOString(),
      lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, quantityPicked: "0", bin: stock.find((s) => s.sku === l.sku)!.bin })),
      shipments: [],
    };
  }

  private shipment(order: DemoOrder, placedAt: Date, status: DemoOrderStatus): DemoShipment {
    const { rng } = this;
    const shippedAt = new Date(placedAt.getTime() + rng.int(6, 40) * HOUR_MS);
    const carrier = rng.pick(catalog.CARRIERS);
    const shipment: DemoShipment = {
      shipmentId: `SH-${order.orderNumber.slice(3)}-1`,
      carrier,
      trackingNumber: `${carrier.slice(0, 2).toUpperCase()}${rng.int(100000000, 999999999)}`,
      status: "CREATED",
      shippedAt: shippedAt.toISOString(),
      deliveredAt: null,
      milestones: [{ code: "CREATED", location: order.warehouseCode, occurredAt: shippedAt.toISOString(), note: null }],
    };
    const progress = status === "CLOSED" ? 3 : status === "INVOICED" ? rng.int(1, 3) : status === "SHIPPED" ? rng.int(1, 2) : 0;
    const codes = ["IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"] as const;
    const exception = status === "INVOICED" && rng.chance(0.08);
    for (let step = 0; step < progress; step++) {
      const at = new Date(shippedAt.getTime() + (step + 1) * 18 * HOUR_MS);
      const code = exception && step === progress - 1 ? "EXCEPTION" : codes[step]!;
      shipment.milestones.push({
        code,
        location: rng.pick(catalog.CITIES),
        occurredAt: at.toISOString(),
        note: code === "EXCEPTION" ? "Delivery attempt failed: consignee closed" : null,
      });
      shipment.status = code;
      if (code === "DELIVERED") shipment.deliveredAt = at.toISOString();
    }
    this.timeline(order, shippedAt, "SHIPMENT_CREATED", `Shipped with ${carrier}, tracking ${shipment.trackingNumber}`);
    if (shipment.deliveredAt) this.timeline(order, new Date(shipment.deliveredAt), "SHIPMENT_DELIVERED", `Shipment ${shipment.shipmentId} delivered`);
    if (shipment.status === "EXCEPTION") {
      const at = shipment.milestones.at(-1)!.occurredAt;
      this.timeline(order, new Date(at), "SHIPMENT_EXCEPTION", `Shipment ${shipment.shipmentId}: delivery exception`);
      this.world.cases.push({
        caseNumber: `CS-${String(this.world.cases.length + 1).padStart(6, "0")}`,
        customerNumber: order.customerNumber,
        orderNumber: order.orderNumber,
        subject: `Delivery exception on ${shipment.shipmentId}`,
        status: "OPEN",
        priority: new Decimal(order.total).gt(2000) ? "URGENT" : "HIGH",
        openedAt: at,
      });
    }
    return shipment;
  }

  private timeline(order: DemoOrder, at: Date, kind: string, summary: string): void {
    this.world.timeline.push({ customerNumber: order.customerNumber, orderNumber: order.orderNumber, kind, summary, occurredAt: at.toISOString() });
  }
}
