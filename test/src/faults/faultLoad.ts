// The load a fault scenario drives through the public API while the fault happens: clients
// submitting orders and adjusting stock, a warehouse worker picking, shipping and delivering
// what the flows released. Every write carries an idempotency key and is retried a few times
// with the same key, as a client must; the ledger records what each operation came to.
import { randomUUID } from "node:crypto";
import { defaultHeadersFor } from "../identity.js";

export type OperationKind = "submitOrder" | "adjustInventory" | "confirmPick" | "shipFulfillment" | "deliver";

export interface Operation {
  kind: OperationKind;
  key: string;
  /** What the write is about (order number, fulfilment, shipment, position). */
  subject: string;
  /** The variables sent, the same on every attempt (a retry must be the same request). */
  variables: Record<string, unknown>;
  attempts: number;
  /** Error codes of the failed attempts, in order. */
  codes: string[];
  acknowledged: boolean;
  /** Its first round of attempts all failed (the client gave up and reported a failure). */
  gaveUp: boolean;
  /** The acknowledged answer: its `data`, one field named after the mutation. */
  result?: Answer;
}

/** A GraphQL answer's data, read loosely: the load only picks a few fields out of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several documents, each read at one path
type Answer = Record<string, any>;

interface Fulfilment {
  fulfillmentId: string;
  status: string;
  lines: { sku: string; quantity: string }[];
}

export interface LoadTarget {
  /** Gateways the clients spread over (round robin per attempt). */
  gatewayUrls: string[];
  customerNumber: string;
  sku: string;
  warehouseCode: string;
}

const DOCUMENTS: Record<OperationKind, string> = {
  submitOrder: `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber } } }`,
  adjustInventory: `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`,
  confirmPick: `mutation($input: ConfirmPickInput!) { confirmPick(input: $input) { status } }`,
  shipFulfillment: `mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { shipmentId } }`,
  deliver: `mutation($input: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $input) { status } }`,
};

const FULFILMENTS = `query($n: ID!) { order(orderNumber: $n) { fulfillments { fulfillmentId status lines { sku quantity } shipments { shipmentId status } } } }`;

let roundRobin = 0;

/**
 * One GraphQL call with a deadline; never throws: a transport failure is a code like any other.
 * `gateway` picks the gateway (modulo their number); by default they take turns.
 */
export async function call(
  urls: string[],
  query: string,
  variables: Record<string, unknown>,
  gateway = roundRobin++,
): Promise<{ data?: Answer; code?: string }> {
  const url = urls[gateway % urls.length]!;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...defaultHeadersFor(url) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(40_000),
    });
    const body = (await response.json().catch(() => ({}))) as { data?: Answer; errors?: { extensions?: { code?: string } }[] };
    if (body.errors?.length || !body.data) return { code: String(body.errors?.[0]?.extensions?.code ?? `HTTP_${response.status}`) };
    return { data: body.data };
  } catch (error) {
    return { code: (error as Error).name === "TimeoutError" ? "CLIENT_TIMEOUT" : "FETCH_FAILED" };
  }
}

export class FaultLoad {
  readonly operations: Operation[] = [];
  private running = false;
  private readonly loops: Promise<void>[] = [];
  /** Orders the warehouse worker has finished (delivered) or still has to. */
  private readonly delivered = new Set<string>();

  constructor(
    private readonly target: LoadTarget,
    private readonly options: { attemptsPerOperation?: number; retryDelayMs?: number } = {},
  ) {}

  /** Attempts one operation up to the client's retry budget, the same key and variables every time. */
  async perform(kind: OperationKind, subject: string, variables: Record<string, unknown>, key: string): Promise<Operation> {
    const operation: Operation = { kind, key, subject, variables, attempts: 0, codes: [], acknowledged: false, gaveUp: false };
    this.operations.push(operation);
    await this.retry(operation, this.options.attemptsPerOperation ?? 4);
    operation.gaveUp = !operation.acknowledged;
    return operation;
  }

  /** Further attempts of an operation with its own key (the oracle's convergence check uses it). */
  async retry(operation: Operation, attempts: number): Promise<void> {
    for (let i = 0; i < attempts && !operation.acknowledged; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 500));
      operation.attempts++;
      // Each retry goes to the next gateway: a client fails over when its gateway is gone.
      const outcome = await call(
        this.target.gatewayUrls,
        DOCUMENTS[operation.kind],
        operation.variables,
        this.operations.indexOf(operation) + operation.attempts,
      );
      if (outcome.data) {
        operation.acknowledged = true;
        operation.result = outcome.data;
      } else operation.codes.push(outcome.code!);
    }
  }

  submitOrder(): Promise<Operation> {
    const key = randomUUID();
    const { customerNumber, warehouseCode, sku } = this.target;
    return this.perform("submitOrder", key, { input: { idempotencyKey: key, customerNumber, warehouseCode, lines: [{ sku, quantity: "1" }] } }, key);
  }

  adjustInventory(): Promise<Operation> {
    const key = randomUUID();
    const { sku, warehouseCode } = this.target;
    // The reason is the ledger row's reference: the oracle finds the write by it.
    const input = { sku, warehouseCode, quantityDelta: "1", reason: `fault ${key}`, idempotencyKey: key };
    return this.perform("adjustInventory", `${sku}|${warehouseCode}`, { input }, key);
  }

  /** Starts `clients` order/stock clients and one warehouse worker; stop() ends them. */
  start(clients = 2, pauseMs = 400): void {
    this.running = true;
    for (let i = 0; i < clients; i++) {
      this.loops.push(
        (async () => {
          for (let n = 0; this.running; n++) {
            await (n % 3 === 2 ? this.adjustInventory() : this.submitOrder());
            await new Promise((resolve) => setTimeout(resolve, pauseMs));
          }
        })(),
      );
    }
    this.loops.push(this.warehouseWorker());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops.splice(0));
  }

  acknowledged(kind?: OperationKind): Operation[] {
    return this.operations.filter((o) => o.acknowledged && (!kind || o.kind === kind));
  }

  /** Resolves once `count` more operations are acknowledged than now (or rejects at the deadline). */
  async acknowledgedMore(count: number, timeoutMs = 60_000): Promise<void> {
    const target = this.acknowledged().length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged().length < target) {
      if (Date.now() > deadline) throw new Error(`only ${this.acknowledged().length}/${target} operations acknowledged in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Acknowledged orders, in submission order. */
  orderNumbers(): string[] {
    return this.acknowledged("submitOrder").map((o) => o.result!["submitOrder"].order.orderNumber as string);
  }

  /**
   * Delivers every acknowledged order the flows have released, after the load stopped. Orders
   * whose run parked (`parked` reads them) never reach the warehouse and are left out.
   */
  async drainWarehouse(timeoutMs: number, parked: () => Promise<Set<string>>): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const pending = async () => {
      const skip = await parked();
      return this.orderNumbers().filter((n) => !this.delivered.has(n) && !skip.has(n));
    };
    let left = await pending();
    while (left.length > 0 && Date.now() < deadline) {
      for (const orderNumber of left) await this.workOn(orderNumber);
      left = await pending();
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return left;
  }

  private async warehouseWorker(): Promise<void> {
    while (this.running) {
      for (const orderNumber of this.orderNumbers()) {
        if (!this.running) break;
        if (!this.delivered.has(orderNumber)) await this.workOn(orderNumber);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** The next warehouse step of one order, if its fulfilment exists: pick, ship, deliver. */
  private async workOn(orderNumber: string): Promise<void> {
    const read = await call(this.target.gatewayUrls, FULFILMENTS, { n: orderNumber });
    const fulfilments = (read.data?.["order"]?.fulfillments ?? []) as Fulfilment[];
    const fulfilment = fulfilments.find((f) => f.status !== "CANCELLED");
    if (!fulfilment) return;
    const started = (kind: OperationKind, subject: string) => this.operations.find((o) => o.kind === kind && o.subject === subject);
    const again = async (operation: Operation) => this.retry(operation, this.options.attemptsPerOperation ?? 4);
    const id = fulfilment.fulfillmentId as string;
    // An operation that failed earlier is retried with its own key, never started afresh.
    const pick = started("confirmPick", id);
    if (!pick) {
      const key = randomUUID();
      const lines = fulfilment.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
      const done = await this.perform("confirmPick", id, { input: { fulfillmentId: id, lines, idempotencyKey: key } }, key);
      if (!done.acknowledged) return;
    } else if (!pick.acknowledged) return void (await again(pick));
    const ship = started("shipFulfillment", id);
    if (!ship) {
      const key = randomUUID();
      const done = await this.perform("shipFulfillment", id, { input: { fulfillmentId: id, carrier: "UPS", trackingNumber: key, idempotencyKey: key } }, key);
      if (!done.acknowledged) return;
    } else if (!ship.acknowledged) return void (await again(ship));
    const shipmentId = (ship ?? started("shipFulfillment", id)!).result!["shipFulfillment"].shipmentId as string;
    const deliver = started("deliver", shipmentId);
    if (!deliver) {
      const key = randomUUID();
      const input = { shipmentId, code: "DELIVERED", location: "Reno, NV", note: key, idempotencyKey: key };
      const done = await this.perform("deliver", shipmentId, { input }, key);
      if (done.acknowledged) this.delivered.add(orderNumber);
    } else if (!deliver.acknowledged) {
      await again(deliver);
      if (deliver.acknowledged) this.delivered.add(orderNumber);
    } else this.delivered.add(orderNumber);
  }
}
