// A fulfilment's externalKey (its creator's idempotency key) is unique per creator, not across
// everyone (issue 15): two callers may use the same key and each gets a fulfilment of their own,
// with no error that would tell one of the other's; the same caller's key still creates one
// fulfilment only, and the database refuses a second row with the same creator and key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import type { RunningWms } from "../src/server.js";
import { startTestWms, writeFootprint } from "./support.js";

const CREATE = `mutation($input: CreateFulfillmentInput!) { createFulfillment(input: $input) { fulfillmentId order { orderNumber } } }`;
const WAREHOUSE = "ATL1";
const flows: Principal = { kind: "service", subject: "flows", scopes: ["process:write", "orders:read", "inventory:read"] };
const other: Principal = { kind: "service", subject: "other-integration", scopes: ["process:write", "orders:read", "inventory:read"] };

let wms: RunningWms;
let sku: string;

async function create(principal: Principal, orderNumber: string, idempotencyKey: string) {
  const response = await fetch(wms.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...principalHeaders(principal) },
    body: JSON.stringify({ query: CREATE, variables: { input: { orderNumber, warehouseCode: WAREHOUSE, lines: [{ sku, quantity: "1" }], idempotencyKey } } }),
  });
  return (await response.json()) as { data?: { createFulfillment: { fulfillmentId: string } }; errors?: { extensions?: { code?: string } }[] };
}

beforeAll(async () => {
  wms = await startTestWms();
  const [row] = await wms.database.query<{ sku: string }>(
    `SELECT sku FROM "Stock" WHERE "warehouseCode" = $1 AND "onHand" - reserved >= 10 ORDER BY sku LIMIT 1`,
    [WAREHOUSE],
  );
  sku = row!.sku;
});
afterAll(async () => {
  await wms?.stop();
});

describe("scoped fulfilment external keys", () => {
  it("lets two creators use the same key, and still creates one fulfilment per creator and key", async () => {
    const first = await create(flows, "SO-910001", "shared-key-1");
    expect(first.errors).toBeUndefined();
    const second = await create(other, "SO-910002", "shared-key-1");
    expect(second.errors).toBeUndefined();
    expect(second.data!.createFulfillment.fulfillmentId).not.toBe(first.data!.createFulfillment.fulfillmentId);

    const before = await writeFootprint(wms);
    const retried = await create(flows, "SO-910001", "shared-key-1");
    expect(retried.data!.createFulfillment.fulfillmentId).toBe(first.data!.createFulfillment.fulfillmentId);
    expect(await writeFootprint(wms)).toEqual(before);

    const stored = await wms.database.query<{ createdBy: string; orderNumber: string }>(
      `SELECT "createdBy", "orderNumber" FROM "FulfillmentOrder" WHERE "externalKey" = 'shared-key-1' ORDER BY "orderNumber"`,
    );
    expect(stored).toEqual([
      { createdBy: "service:flows", orderNumber: "SO-910001" },
      { createdBy: "service:other-integration", orderNumber: "SO-910002" },
    ]);
    // The key stays unique within one creator's scope, in the database itself.
    await expect(
      wms.database.query(
        `INSERT INTO "FulfillmentOrder" ("fulfillmentId", "orderNumber", "warehouseCode", "status", "externalKey", "createdBy", "updatedAt")
         VALUES ('FF-DUP', 'SO-910003', $1, 'RELEASED', 'shared-key-1', 'service:flows', now())`,
        [WAREHOUSE],
      ),
    ).rejects.toThrow(/unique|duplicate/i);
  });
});
