// Keeps a low rate of realistic business activity going through the public GraphQL API (the
// same mutations any client uses), so a newcomer sees the hub move: orders submitted, stock
// counted, picks confirmed, fulfilments shipped, carrier milestones arriving, and now and then
// the exceptions of simulatorExceptions.ts (amendments, payments, carrier exceptions, returns,
// low stock). It calls as the `simulator` service principal (simulatorService scopes).
import { randomUUID } from "node:crypto";
import type { Logger } from "@crossdock/platform";
import { SeededRandom } from "@crossdock/schema";
import { exceptionActions } from "./simulatorExceptions.js";

export interface SimulatorOptions {
  gatewayUrl: string;
  ratePerSecond: number;
  logger: Logger;
  seed?: number;
  /** The simulator's bearer token, asked for before each call (the hub renews it). */
  credential: () => Promise<string>;
}

interface OpenFulfillment {
  fulfillmentId: string;
  status: string;
  lines: { sku: string; quantity: string; quantityPicked: string; quantityShipped: string }[];
  shipments: { shipmentId: string; status: string }[];
}

// A shipment in exception is delivered in the end (which lifts the billing hold it caused).
const NEXT_MILESTONE: Record<string, string> = { CREATED: "IN_TRANSIT", IN_TRANSIT: "OUT_FOR_DELIVERY", OUT_FOR_DELIVERY: "DELIVERED", EXCEPTION: "DELIVERED" };
const CITIES = ["Atlanta, GA", "Chicago, IL", "Reno, NV", "Denver, CO", "Columbus, OH"];

export function startSimulator(options: SimulatorOptions): { stop(): Promise<void> } {
  const rng = new SeededRandom(options.seed ?? Date.now() % 2 ** 31);
  let customers: string[] = [];
  let skus: string[] = [];
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function call<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(options.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-crossdock-client": "simulator", authorization: `Bearer ${await options.credential()}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) throw new Error(`${body.errors[0]!.extensions?.code ?? "ERROR"}: ${body.errors[0]!.message}`);
    return body.data as T;
  }

  async function loadCatalog(): Promise<void> {
    const data = await call<{ customers: { edges: { node: { customerNumber: string } }[] }; products: { edges: { node: { sku: string } }[] } }>(
      `{ customers(status: ACTIVE, first: 200) { edges { node { customerNumber } } } products(first: 200) { edges { node { sku } } } }`,
    );
    customers = data.customers.edges.map((e) => e.node.customerNumber);
    skus = data.products.edges.map((e) => e.node.sku);
  }

  async function openFulfillments(status: string): Promise<OpenFulfillment[]> {
    const data = await call<{ orders: { edges: { node: { fulfillments: OpenFulfillment[] } }[] } }>(
      `query($status: OrderStatus) { orders(status: $status, first: 40) { edges { node { fulfillments {
         fulfillmentId status lines { sku quantity quantityPicked quantityShipped } shipments { shipmentId status } } } } } }`,
      { status },
    );
    return data.orders.edges.flatMap((e) => e.node.fulfillments);
  }

  async function submitOrder(): Promise<string> {
    const lines = Array.from({ length: rng.int(1, 3) }, () => ({ sku: rng.pick(skus), quantity: String(rng.int(1, 6)) }));
    const unique = [...new Map(lines.map((l) => [l.sku, l])).values()];
    const data = await call<{ submitOrder: { outcome: string; order: { orderNumber: string } | null } }>(
      `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber } } }`,
      { input: { idempotencyKey: randomUUID(), customerNumber: rng.pick(customers), lines: unique, requestedBy: "simulator" } },
    );
    return `submitOrder ${data.submitOrder.order?.orderNumber ?? "-"} ${data.submitOrder.outcome}`;
  }

  async function adjustInventory(): Promise<string> {
    const sku = rng.pick(skus);
    const data = await call<{ product: { stock: { warehouse: { code: string }; onHand: string }[] } | null }>(
      `query($sku: ID!) { product(sku: $sku) { stock { warehouse { code } onHand } } }`,
      { sku },
    );
    const level = data.product?.stock.length ? rng.pick(data.product.stock) : null;
    if (!level) return "adjustInventory skipped";
    const delta = rng.chance(0.6) ? rng.int(1, 12) : -Math.min(rng.int(1, 4), Math.floor(Number(level.onHand)));
    if (delta === 0) return "adjustInventory skipped";
    await call(`mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`, {
      input: {
        sku,
        warehouseCode: level.warehouse.code,
        quantityDelta: String(delta),
        reason: delta > 0 ? "Cycle count: found" : "Cycle count: damaged",
        idempotencyKey: randomUUID(),
      },
    });
    return `adjustInventory ${sku}@${level.warehouse.code} ${delta > 0 ? "+" : ""}${delta}`;
  }

  async function confirmPick(): Promise<string> {
    const candidates = (await openFulfillments("RELEASED")).filter((f) => f.status === "RELEASED" || f.status === "PICKING");
    if (candidates.length === 0) return "confirmPick skipped";
    const fulfillment = rng.pick(candidates);
    const lines = fulfillment.lines
      .map((l) => ({ sku: l.sku, quantity: String(Number(l.quantity) - Number(l.quantityPicked)) }))
      .filter((l) => Number(l.quantity) > 0);
    if (lines.length === 0) return "confirmPick skipped";
    await call(`mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { status } }`, {
      input: { fulfillmentId: fulfillment.fulfillmentId, lines, idempotencyKey: randomUUID() },
    });
    return `confirmPick ${fulfillment.fulfillmentId}`;
  }

  async function ship(): Promise<string> {
    const candidates = [...(await openFulfillments("RELEASED")), ...(await openFulfillments("PARTIALLY_SHIPPED"))].filter((f) => f.status === "PICKED");
    if (candidates.length === 0) return "shipFulfillment skipped";
    const fulfillment = rng.pick(candidates);
    const carrier = rng.pick(["UPS", "FedEx", "DHL"]);
    await call(`mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { shipmentId } }`, {
      input: {
        fulfillmentId: fulfillment.fulfillmentId,
        carrier,
        trackingNumber: `${carrier.slice(0, 2)}${rng.int(100000000, 999999999)}`,
        idempotencyKey: randomUUID(),
      },
    });
    return `shipFulfillment ${fulfillment.fulfillmentId}`;
  }

  async function milestone(): Promise<string> {
    const shipments = [...(await openFulfillments("RELEASED")), ...(await openFulfillments("INVOICED"))]
      .flatMap((f) => f.shipments)
      .filter((s) => NEXT_MILESTONE[s.status]);
    if (shipments.length === 0) return "recordShipmentMilestone skipped";
    const shipment = rng.pick(shipments);
    const code = NEXT_MILESTONE[shipment.status]!;
    await call(`mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) { status } }`, {
      input: { shipmentId: shipment.shipmentId, code, location: rng.pick(CITIES), idempotencyKey: randomUUID() },
    });
    return `recordShipmentMilestone ${shipment.shipmentId} ${code}`;
  }

  const exceptions = exceptionActions(call, rng, () => skus);
  // Cumulative shares of the actions: the order-to-cash routine first, then its exceptions at
  // rates that show each one every minute or so at the default 0.5 actions per second.
  const ACTIONS: [number, () => Promise<string>][] = [
    [0.27, submitOrder],
    [0.4, adjustInventory],
    [0.55, confirmPick],
    [0.67, ship],
    [0.77, milestone],
    [0.84, exceptions.recordPayment],
    [0.9, exceptions.amendOrder],
    [0.94, exceptions.shipmentException],
    [0.97, exceptions.returnGoods],
    [1, exceptions.drainStock],
  ];

  async function tick(): Promise<void> {
    if (customers.length === 0) await loadCatalog();
    const roll = rng.next();
    const action = ACTIONS.find(([share]) => roll < share)?.[1] ?? milestone;
    const outcome = await action();
    // Visible in the console at the default level, so a person can follow what the demo does.
    if (outcome.endsWith("skipped")) options.logger.debug({ simulated: outcome }, "simulated activity");
    else options.logger.info({ simulated: outcome }, "simulated activity");
  }

  const timer = setInterval(
    () => {
      if (stopped) return;
      running = running.then(tick).catch((error: unknown) => options.logger.warn({ err: error }, "simulated action failed"));
    },
    Math.max(50, Math.round(1000 / Math.max(options.ratePerSecond, 0.01))),
  );
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
