// Unit tests of the ERP's pure decisions — warehouse ranking, submitOrder input checks and
// config parsing — including property-based checks where arbitrary input matters. No database.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Decimal } from "@crossdock/schema";
import { rankWarehouses } from "../src/writes/chooseWarehouse.js";
import { normalizeSubmitOrder } from "../src/writes/orderInput.js";
import { loadConfig } from "../src/config.js";

const line = (sku: string, quantity: string) => ({ sku, quantity: new Decimal(quantity) });

describe("rankWarehouses", () => {
  it("prefers a warehouse covering every line, then the most availability", () => {
    const ranked = rankWarehouses(
      [line("A", "5"), line("B", "5")],
      [
        { warehouseCode: "ATL1", sku: "A", available: "100" },
        { warehouseCode: "ATL1", sku: "B", available: "1" },
        { warehouseCode: "CHI1", sku: "A", available: "5" },
        { warehouseCode: "CHI1", sku: "B", available: "6" },
        { warehouseCode: "RNO1", sku: "A", available: "50" },
        { warehouseCode: "RNO1", sku: "B", available: "50" },
      ],
      [],
    );
    expect(ranked.map((c) => c.warehouseCode)).toEqual(["RNO1", "CHI1", "ATL1"]);
  });

  it("falls back to the warehouse covering the most lines, and treats over-allocation as zero", () => {
    const ranked = rankWarehouses(
      [line("A", "5"), line("B", "5"), line("C", "5")],
      [
        { warehouseCode: "ATL1", sku: "A", available: "5" },
        { warehouseCode: "ATL1", sku: "B", available: "-40" },
        { warehouseCode: "CHI1", sku: "A", available: "1" },
        { warehouseCode: "CHI1", sku: "B", available: "1" },
      ],
      [],
    );
    expect(ranked[0]).toMatchObject({ warehouseCode: "ATL1", linesCovered: 1 });
    expect(ranked[0]!.totalAvailable.toFixed()).toBe("5");
  });

  it("breaks ties by code and still offers warehouses that stock none of the SKUs", () => {
    expect(rankWarehouses([line("A", "1")], [], ["RNO1", "ATL1"]).map((c) => c.warehouseCode)).toEqual(["ATL1", "RNO1"]);
  });

  it("always ranks a full-cover warehouse above any partial one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ warehouseCode: fc.constantFrom("W1", "W2", "W3"), sku: fc.constantFrom("A", "B"), available: fc.integer({ min: -10, max: 20 }) })),
        (rows) => {
          const unique = [...new Map(rows.map((r) => [`${r.warehouseCode}|${r.sku}`, { ...r, available: String(r.available) }])).values()];
          const ranked = rankWarehouses([line("A", "5"), line("B", "5")], unique, []);
          const full = ranked.findIndex((c) => c.linesCovered === 2);
          const partial = ranked.findIndex((c) => c.linesCovered < 2);
          if (full >= 0 && partial >= 0) expect(full).toBeLessThan(partial);
        },
      ),
    );
  });
});

describe("normalizeSubmitOrder", () => {
  const base = { idempotencyKey: "k", customerNumber: " C-1 ", lines: [{ sku: " SKU-1 ", quantity: "1.500" }] };

  it("canonicalizes quantities and treats absent and blank optionals as null", () => {
    expect(normalizeSubmitOrder({ ...base, warehouseCode: " ", requestedBy: undefined })).toEqual({
      idempotencyKey: "k",
      customerNumber: "C-1",
      warehouseCode: null,
      lines: [{ sku: "SKU-1", quantity: "1.5" }],
      requestedBy: null,
    });
  });

  it("accepts exactly the quantities above zero with at most three decimals", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -10_000_000n, max: 10_000_000n }), fc.integer({ min: 0, max: 5 }), (units, scale) => {
        const quantity = new Decimal(units.toString()).div(new Decimal(10).pow(scale)).toFixed();
        const valid = new Decimal(quantity).gt(0) && new Decimal(quantity).decimalPlaces() <= 3;
        const attempt = () => normalizeSubmitOrder({ ...base, lines: [{ sku: "S", quantity }] });
        if (valid) expect(attempt().lines[0]!.quantity).toBe(new Decimal(quantity).toFixed());
        else expect(attempt).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "INVALID_QUANTITY", field: "lines.0.quantity" }) }));
      }),
    );
  });
});

describe("loadConfig", () => {
  it("uses the ERP defaults", () => {
    expect(loadConfig({})).toEqual({ port: 4101, host: "127.0.0.1", databaseUrl: "pglite:./.crossdock/erp", seed: { enabled: false, scale: 1 } });
  });

  it("reads ERP_PORT (not the gateway's PORT), the database URL, the data dir and seeding", () => {
    expect(
      loadConfig({ PORT: "9999", ERP_PORT: "0", CROSSDOCK_DATA_DIR: "/data/", CROSSDOCK_SEED: "false", CROSSDOCK_SEED_SCALE: "0.5", LOG_LEVEL: "warn" }),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: "pglite:/data/erp",
      seed: { enabled: false, scale: 0.5 },
      logLevel: "warn",
    });
    expect(loadConfig({ ERP_DATABASE_URL: "postgres://u@db:5432/erp" }).databaseUrl).toBe("postgres://u@db:5432/erp");
  });

  it.each([
    [{ ERP_PORT: "http" }, /ERP_PORT/],
    [{ ERP_PORT: "70000" }, /ERP_PORT/],
    [{ CROSSDOCK_SEED: "maybe" }, /CROSSDOCK_SEED/],
    [{ CROSSDOCK_SEED_SCALE: "0" }, /CROSSDOCK_SEED_SCALE/],
    [{ ERP_DATABASE_URL: "mysql://x" }, /ERP_DATABASE_URL/],
  ])("fails on %o naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
