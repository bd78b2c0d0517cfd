// The batch root fetch answered from change-feed payloads: exactly the fields the payload carries,
// in the fetch's shape (aliases, fragments, entity references for the plan's next fetches), and
// never a guess: any field the payload lacks sends the whole fetch to the subgraph.
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { answerFromPayloads, type EntitiesAtChange } from "../src/subscriptions/resolution/entitiesAtChange.js";
import { STREAM_FIELDS, toStreamEvent } from "../src/subscriptions/streamFields.js";

const inventory = STREAM_FIELDS.inventoryChanged;
const events = [
  { sku: "SKU-1", warehouseCode: "ATL1", onHand: "10", allocated: "2", available: "8" },
  { sku: "SKU-2", warehouseCode: "DFW1", onHand: "0", allocated: "0", available: "0" },
].map((payload, i) =>
  toStreamEvent(inventory, {
    cursor: BigInt(i + 1),
    entityKey: `${payload.sku}|${payload.warehouseCode}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    payload,
  }),
);
const atChange: EntitiesAtChange = {
  field: inventory.entityBatch.field,
  refs: events.map((e) => e.entityRef),
  entities: events.map((e) => inventory.entityAtChange(e)),
};
const variables = { keys: events.map((e) => ({ ...(e.entityRef as object) })) };

describe("answerFromPayloads", () => {
  it("answers the payload's fields and the entity references the plan fetches next", () => {
    const fetch = parse(`query($keys: [InventoryPositionKey!]!) { e0: inventoryPositionsByKey(keys: $keys) {
      onHand free: available sourceCommittedAt ...P product { __typename sku } warehouse { __typename code } } }
      fragment P on InventoryPosition { __typename sku }`);
    expect(answerFromPayloads(fetch, variables, atChange)).toEqual({
      e0: [
        {
          onHand: "10",
          free: "8",
          sourceCommittedAt: "2026-01-01T00:00:00.000Z",
          __typename: "InventoryPosition",
          sku: "SKU-1",
          product: { __typename: "Product", sku: "SKU-1" },
          warehouse: { __typename: "Warehouse", code: "ATL1" },
        },
        {
          onHand: "0",
          free: "0",
          sourceCommittedAt: "2026-01-01T00:00:01.000Z",
          __typename: "InventoryPosition",
          sku: "SKU-2",
          product: { __typename: "Product", sku: "SKU-2" },
          warehouse: { __typename: "Warehouse", code: "DFW1" },
        },
      ],
    });
  });

  it("leaves to the subgraph a fetch with a field the payload lacks", () => {
    const updatedAt = parse(`query($keys: [InventoryPositionKey!]!) { e0: inventoryPositionsByKey(keys: $keys) { onHand updatedAt } }`);
    expect(answerFromPayloads(updatedAt, variables, atChange)).toBeUndefined();
    const nested = parse(`query($keys: [InventoryPositionKey!]!) { e0: inventoryPositionsByKey(keys: $keys) { product { inventory { available } } } }`);
    expect(answerFromPayloads(nested, variables, atChange)).toBeUndefined();
  });

  it("leaves to the subgraph a fetch of other keys, other fields or with directives", () => {
    const fetch = `query($keys: [InventoryPositionKey!]!, $yes: Boolean!) { e0: inventoryPositionsByKey(keys: $keys) { onHand @include(if: $yes) } }`;
    expect(answerFromPayloads(parse(fetch), { ...variables, yes: true }, atChange)).toBeUndefined();
    const plain = parse(`query($keys: [InventoryPositionKey!]!) { e0: inventoryPositionsByKey(keys: $keys) { onHand } }`);
    expect(answerFromPayloads(plain, { keys: [...variables.keys].reverse() }, atChange)).toBeUndefined();
    const other = parse(`query($keys: [InventoryPositionKey!]!) { e0: inventoryPositionsByKey(keys: $keys) { onHand } syncStatus { sources { source } } }`);
    expect(answerFromPayloads(other, variables, atChange)).toBeUndefined();
    expect(answerFromPayloads(plain, variables, atChange)).toEqual({ e0: [{ onHand: "10" }, { onHand: "0" }] });
  });
});
