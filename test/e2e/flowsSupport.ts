// Shared pieces of the flows end-to-end suites: the GraphQL documents a client uses to drive
// order-to-cash, a roomy customer and a well-stocked sku from the seeded hub, and waiting helpers.
import { randomUUID } from "node:crypto";
import { Decimal } from "@crossdock/schema";
import { graphql, graphqlData } from "../src/index.js";
import { eventually, startTestHub, type Backend, type TestHub } from "./hubHarness.js";

export const SUBMIT = `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome reason message order { orderNumber status total } } }`;
export const ORDER = `query($n: ID!) { order(orderNumber: $n) {
  orderNumber status billingHold total customer { customerNumber openBalance } invoice { invoiceNumber amount }
  lines { quantity quantityShipped product { sku } } creditMemos { memoNumber amount }
  fulfillments { fulfillmentId status lines { sku quantity } shipments { shipmentId status } }
  timeline { kind summary } cases { caseNumber status priority }
  flowRuns { runId flow status operatorActions lastError steps { name status attempts generation idempotencyKey lastErrorCode attemptLog { outcome errorCode } } }
} }`;

export interface Seeded {
  customerNumber: string;
  sku: string;
  warehouseCode: string;
}

/** A small hub with the flows on, and a customer and stock its orders can use. */
export async function startFlowsHub(backend: Backend): Promise<{ t: TestHub; seeded: Seeded }> {
  const t = await startTestHub(backend, 0.05, { FLOWS_ENABLED: "1" });
  return { t, seeded: await seededCustomerAndStock(t.url) };
}

export async function seededCustomerAndStock(url: string): Promise<Seeded> {
  const data = await graphqlData<any>(
    url,
    `{ customers(status: ACTIVE, first: 100) { edges { node { customerNumber creditLimit openBalance account { accountId } } } }
       inventoryPositions(first: 200) { edges { node { sku warehouseCode available } } } }`,
  );
  const customer = data.customers.edges
    .map((e: any) => e.node)
    .filter((c: any) => c.account)
    .sort((a: any, b: any) => new Decimal(b.creditLimit).minus(b.openBalance).cmp(new Decimal(a.creditLimit).minus(a.openBalance)))[0];
  const position = data.inventoryPositions.edges.map((e: any) => e.node).sort((a: any, b: any) => new Decimal(b.available).cmp(a.available))[0];
  return { customerNumber: customer.customerNumber, sku: position.sku, warehouseCode: position.warehouseCode };
}

/** The order without its flow runs: readable while the flows service is down. */
const ORDER_WITHOUT_RUNS = ORDER.replace(/\n {2}flowRuns \{.*\n/, "\n");

export async function order(url: string, orderNumber: string, withRuns = true): Promise<any> {
  return (await graphqlData<any>(url, withRuns ? ORDER : ORDER_WITHOUT_RUNS, { n: orderNumber })).order;
}

export async function orderWhen(url: string, orderNumber: string, done: (o: any) => boolean, timeoutMs = 30_000, withRuns = true): Promise<any> {
  return eventually(() => order(url, orderNumber, withRuns), done, timeoutMs);
}

export async function submit(url: string, seeded: Seeded, quantity = "2", key = randomUUID()): Promise<any> {
  const response = await graphql<any>(url, SUBMIT, {
    input: { idempotencyKey: key, customerNumber: seeded.customerNumber, warehouseCode: seeded.warehouseCode, lines: [{ sku: seeded.sku, quantity }] },
  });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data.submitOrder;
}

/** The warehouse's part: confirm the pick of every line and ship it as one shipment. */
export async function pickAndShip(url: string, fulfillment: { fulfillmentId: string; lines: { sku: string; quantity: string }[] }): Promise<string> {
  await graphqlData(url, `mutation($i: ConfirmPickInput!) { confirmPick(input: $i) { status } }`, {
    i: { fulfillmentId: fulfillment.fulfillmentId, lines: fulfillment.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), idempotencyKey: randomUUID() },
  });
  const shipped = await graphqlData<any>(url, `mutation($i: ShipFulfillmentInput!) { shipFulfillment(input: $i) { shipmentId } }`, {
    i: { fulfillmentId: fulfillment.fulfillmentId, carrier: "UPS", trackingNumber: `1Z${Date.now()}`, idempotencyKey: randomUUID() },
  });
  return shipped.shipFulfillment.shipmentId;
}

export async function milestone(url: string, shipmentId: string, code: string, note?: string): Promise<void> {
  await graphqlData(url, `mutation($i: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $i) { status } }`, {
    i: { shipmentId, code, location: "Reno, NV", note: note ?? null, idempotencyKey: randomUUID() },
  });
}

export const runOf = (o: any, flow: string) => o.flowRuns.find((r: any) => r.flow === flow);
export const activeFulfillments = (o: any) => o.fulfillments.filter((f: any) => f.status !== "CANCELLED");
