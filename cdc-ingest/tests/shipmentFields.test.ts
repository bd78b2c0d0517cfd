// What a Shipment entry on the change feed says of its shipment: order, status, carrier and
// tracking always; the manifest only on the shipment's creation, and only when every line of it
// is a { sku, quantity } of strings, whichever way it was captured (a JSON array from logical
// decoding or the outbox, its text from Debezium's Json type).
import { describe, expect, it } from "vitest";
import { shipmentFields } from "../src/apply/shipmentProjection.js";

const row = { shipmentId: "SH-1", orderNumber: "SO-1", status: "CREATED", carrier: "UPS", trackingNumber: "1Z1" };
const lines = [
  { sku: "SKU-1", quantity: "2" },
  { sku: "SKU-2", quantity: "0.5" },
];

describe("shipmentFields", () => {
  it("carries the manifest on creation, captured as an array or as JSON text", () => {
    const expected = { shipmentId: "SH-1", orderNumber: "SO-1", status: "CREATED", carrier: "UPS", trackingNumber: "1Z1", lines };
    expect(shipmentFields("SH-1", { ...row, lines }, true)).toEqual(expected);
    expect(shipmentFields("SH-1", { ...row, lines: JSON.stringify(lines) }, true)).toEqual(expected);
  });

  it("leaves the manifest out of later entries, and out when it is empty, unreadable or has a bad line", () => {
    expect(shipmentFields("SH-1", { ...row, lines }, false)).not.toHaveProperty("lines");
    for (const bad of [[], "[{", "__debezium_unavailable_value", [{ sku: "SKU-1", quantity: 2 }], [{ sku: "SKU-1" }, ...lines], null]) {
      expect(shipmentFields("SH-1", { ...row, lines: bad } as never, true), JSON.stringify(bad)).toEqual({ ...row });
    }
  });
});
