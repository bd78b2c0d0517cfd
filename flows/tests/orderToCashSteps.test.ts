// Which gateway calls the order-to-cash steps make. The steps run against the real GatewayClient;
// behind it, instead of a gateway, a handler records each operation and answers as the gateway
// would (the end-to-end suites run the same steps against the real gateway). A release's or a
// shipment's feed entry that carries what the step needs saves the read before the write; entries
// without it (older ones), and an operator's re-run of the fulfilment, read first.
import { describe, expect, it } from "vitest";
import type { LocalGraphQLHandler } from "@crossdock/platform";
import { GatewayClient } from "../src/engine/gatewayClient.js";
import type { Facts, StepContext } from "../src/engine/types.js";
import { orderToCash } from "../src/flows/orderToCash.js";

function recordingGateway(answers: Record<string, unknown>): { gateway: GatewayClient; calls: { field: string; variables: Record<string, unknown> }[] } {
  const calls: { field: string; variables: Record<string, unknown> }[] = [];
  const handler: LocalGraphQLHandler = async (request) => {
    const { query, variables } = request.body as { query: string; variables: Record<string, unknown> };
    const field = /\{\s*(\w+)/.exec(query)![1]!;
    calls.push({ field, variables });
    return { status: 200, headers: {}, body: JSON.stringify({ data: { [field]: answers[field] } }) };
  };
  return { calls, gateway: new GatewayClient({ url: "http://127.0.0.1:1/graphql", local: Promise.resolve(handler), serviceToken: "t", timeoutMs: 5_000 }) };
}

function context(gateway: GatewayClient, input: Facts, generation = 0): StepContext {
  return {
    runId: "run-1",
    stepName: "step",
    input,
    facts: {},
    orderNumber: "SO-1",
    customerNumber: "C-1",
    idempotencyKey: "flow:run-1:step",
    generation,
    gateway,
  };
}

const recordShipment = orderToCash.steps["recordShipment"]!;
const createFulfillment = orderToCash.steps["createFulfillment"]!;
const shipped = { recordShipment: { order: { status: "INVOICED" }, invoice: { invoiceNumber: "INV-1" } } };

describe("recordShipment", () => {
  it("takes carrier, tracking and manifest from the shipment's feed entry: one gateway call", async () => {
    const { gateway, calls } = recordingGateway(shipped);
    const lines = [{ sku: "SKU-1", quantity: "2" }];
    const result = await recordShipment.run(context(gateway, { shipmentId: "SH-1", carrier: "UPS", trackingNumber: "1Z1", lines }));
    expect(calls.map((c) => c.field)).toEqual(["recordShipment"]);
    expect(calls[0]!.variables["input"]).toEqual({ orderNumber: "SO-1", shipmentId: "SH-1", lines, idempotencyKey: "flow:run-1:step" });
    expect(result).toEqual({
      output: { erpStatus: "INVOICED", invoiceNumber: "INV-1" },
      facts: { "shipment:SH-1": { carrier: "UPS", trackingNumber: "1Z1" } },
    });
  });

  it("reads the shipment from the WMS first when the entry carries no manifest", async () => {
    const lines = [{ sku: "SKU-9", quantity: "1" }];
    const { gateway, calls } = recordingGateway({ shipment: { carrier: "DHL", trackingNumber: "JD1", lines }, ...shipped });
    const result = await recordShipment.run(context(gateway, { shipmentId: "SH-2" }));
    expect(calls.map((c) => c.field)).toEqual(["shipment", "recordShipment"]);
    expect(calls[1]!.variables["input"]).toMatchObject({ shipmentId: "SH-2", lines });
    expect(result.facts).toEqual({ "shipment:SH-2": { carrier: "DHL", trackingNumber: "JD1" } });
  });
});

describe("createFulfillment", () => {
  const fulfilled = { createFulfillment: { fulfillmentId: "FF-1" } };
  const released = { warehouseCode: "ATL1", lines: [{ sku: "SKU-1", quantity: "3" }] };

  it("takes the warehouse and lines from the release on its first run: one gateway call", async () => {
    const { gateway, calls } = recordingGateway(fulfilled);
    await createFulfillment.run(context(gateway, released));
    expect(calls.map((c) => c.field)).toEqual(["createFulfillment"]);
    expect(calls[0]!.variables["input"]).toMatchObject({ orderNumber: "SO-1", warehouseCode: "ATL1", lines: released.lines });
  });

  it("asks the ERP where the order is now on an operator's re-run, and creates nothing for a cancelled order", async () => {
    const { gateway, calls } = recordingGateway({ order: { status: "CANCELLED", warehouseCode: "ATL1", customer: { customerNumber: "C-1" }, lines: [] } });
    const result = await createFulfillment.run(context(gateway, released, 1));
    expect(calls.map((c) => c.field)).toEqual(["order"]);
    expect(result.output).toEqual({ skipped: "order is CANCELLED" });
  });
});
