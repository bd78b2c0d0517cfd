import { describe, expect, it } from "vitest";
import { Decimal, generateDemoWorld } from "../src/index.js";

describe("demo world", () => {
  const world = generateDemoWorld();

  it("is deterministic and has the promised size", () => {
    expect(JSON.stringify(generateDemoWorld())).toBe(JSON.stringify(world));
    expect(world.warehouses).toHaveLength(3);
    expect(world.products).toHaveLength(500);
    expect(world.customers).toHaveLength(200);
    expect(world.orders.length).toBeGreaterThanOrEqual(1990);
    expect(new Set(world.orders.map((o) => o.status))).toEqual(
      new Set(["CREDIT_HOLD", "RELEASED", "PARTIALLY_SHIPPED", "SHIPPED", "INVOICED", "CLOSED", "CANCELLED"]),
    );
    expect(world.cases.some((c) => c.status === "OPEN")).toBe(true);
    expect(generateDemoWorld({ scale: 2 }).orders.length).toBeGreaterThan(3900);
  });

  it("keeps quantities consistent across systems", () => {
    for (const row of world.stock) {
      expect(new Decimal(row.onHand).eq(new Decimal(row.received).minus(row.shipped))).toBe(true);
      expect(new Decimal(row.onHand).gte(0)).toBe(true);
    }
    const key = (sku: string, wh: string) => `${sku}|${wh}`;
    const reserved = new Map<string, Decimal>();
    const shipped = new Map<string, Decimal>();
    for (const order of world.orders) {
      for (const line of order.lines) {
        const k = key(line.sku, order.warehouseCode);
        shipped.set(k, (shipped.get(k) ?? new Decimal(0)).plus(line.quantityShipped));
        const open = ["RELEASED", "PARTIALLY_SHIPPED"].includes(order.status) ? new Decimal(line.quantity).minus(line.quantityShipped) : new Decimal(0);
        reserved.set(k, (reserved.get(k) ?? new Decimal(0)).plus(open));
      }
    }
    for (const row of world.stock) {
      const k = key(row.sku, row.warehouseCode);
      expect(new Decimal(row.reserved).eq(reserved.get(k) ?? 0), `reserved ${k}`).toBe(true);
      expect(new Decimal(row.shipped).eq(shipped.get(k) ?? 0), `shipped ${k}`).toBe(true);
    }
  });

  it("totals orders exactly and balances customers", () => {
    for (const order of world.orders) {
      const sum = order.lines.reduce((s, l) => s.plus(new Decimal(l.quantity).mul(l.unitPrice)), new Decimal(0));
      expect(order.total).toBe(sum.toFixed(2));
      if (order.invoice) expect(order.invoice.amount).toBe(order.total);
    }
    for (const customer of world.customers.filter((c) => c.status === "ACTIVE")) {
      expect(new Decimal(customer.openBalance).lte(customer.creditLimit)).toBe(true);
    }
  });
});
