// What the fault scenario files share: the customer and stock the load works on (roomy enough
// that only the fault refuses anything), and the assertion every scenario ends with: no broken
// promise, nothing lost or doubled, each faulted service's /readyz false during the fault and true after.
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { graphqlData } from "../src/index.js";
import type { ScenarioReport } from "../src/faults/index.js";
import { seededCustomerAndStock, type Seeded } from "../e2e/flowsSupport.js";

/** A seeded customer, sku and warehouse; the customer's credit and the sku's stock never refuse an order of the load. */
export async function prepareLoadTarget(url: string): Promise<Seeded> {
  const seeded = await seededCustomerAndStock(url);
  await graphqlData(url, `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "100000000") { creditLimit } }`, { c: seeded.customerNumber });
  await graphqlData(url, `mutation($i: AdjustInventoryInput!) { adjustInventory(input: $i) { onHand } }`, {
    i: { sku: seeded.sku, warehouseCode: seeded.warehouseCode, quantityDelta: "100000", reason: "fault suite stock", idempotencyKey: randomUUID() },
  });
  return seeded;
}

export function expectPromisesKept(report: ScenarioReport, faulted: string[]): void {
  expect(report.problems).toEqual([]);
  expect(report.lost).toBe(0);
  expect(report.duplicated).toBe(0);
  expect(report.acknowledged).toBeGreaterThan(0);
  for (const name of faulted) {
    // Not ready (or not answering) during the fault, ready after it, with nobody stepping in.
    expect(report.readiness[name]?.some((status) => status !== 200)).toBe(true);
    expect(report.readiness[name]?.at(-1)).toBe(200);
  }
}
