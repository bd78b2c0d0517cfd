// Real subscription clients for the subscription suites: graphql-ws (over `ws`) and graphql-sse,
// each collecting events so tests can wait for exact counts, plus the inventory write that
// produces changes and a lookup of stocked positions.
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { createClient as createSseClient, type Client as SseClient } from "graphql-sse";
import { defaultHeadersFor, fetchMetrics, graphqlData, metricSum } from "../src/index.js";
import { eventually } from "./hubHarness.js";

export interface Collected {
  events: any[];
  errors: any[];
  completed: boolean;
  /** Resolves when at least `count` events arrived (rejects on timeout or stream error). */
  waitFor(count: number, timeoutMs?: number): Promise<any[]>;
  /** Resolves when the stream errored or completed. */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

type Subscribable = {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown> },
    sink: { next(v: any): void; error(e: unknown): void; complete(): void },
  ): () => void;
};

export function collect(client: WsClient | SseClient, query: string, variables: Record<string, unknown> = {}): Collected {
  const waiters = new Set<() => void>();
  const state: Collected = {
    events: [],
    errors: [],
    completed: false,
    waitFor(count, timeoutMs = 10_000) {
      return until(
        () => state.events.length >= count || state.errors.length > 0,
        timeoutMs,
        () => `${state.events.length}/${count} events`,
      ).then(() => {
        if (state.events.length < count) throw new Error(`stream failed: ${JSON.stringify(state.errors)}`);
        return state.events;
      });
    },
    ended(timeoutMs = 10_000) {
      return until(
        () => state.completed || state.errors.length > 0,
        timeoutMs,
        () => "stream end",
      );
    },
    unsubscribe: () => undefined,
  };
  const until = (done: () => boolean, timeoutMs: number, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what()}`));
      }, timeoutMs);
      waiters.add(check);
    });
  const notify = () => [...waiters].forEach((w) => w());
  state.unsubscribe = (client as Subscribable).subscribe(
    { query, variables },
    {
      next(value) {
        if (value.errors && !value.data) state.errors.push(value.errors);
        else state.events.push(value.data ?? value);
        notify();
      },
      error(error) {
        state.errors.push(error);
        notify();
      },
      complete() {
        state.completed = true;
        notify();
      },
    },
  );
  return state;
}

/**
 * Resolves once the gateway at `httpUrl` holds exactly `count` open subscriptions. graphql-ws
 * does not acknowledge a subscribe, and a subscription without `after` starts at the feed head
 * it finds, so a test writes only after its subscriptions are registered (a fixed pause is not
 * enough on a loaded machine). Exact, so subscriptions of an earlier test still closing do not count.
 */
export async function subscribed(httpUrl: string, count: number, timeoutMs = 15_000): Promise<void> {
  const open = () => fetchMetrics(httpUrl).then((text) => metricSum(text, "crossdock_subscriptions_active"));
  const active = await eventually(open, (n) => n === count, timeoutMs);
  if (active !== count) throw new Error(`timed out waiting for ${count} open subscriptions at ${httpUrl} (last seen ${active})`);
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

/** A graphql-ws client; without connectionParams it sends the URL's default credentials (`{ authorization }`). */
export function graphqlWsClient(httpUrl: string, connectionParams?: Record<string, unknown>, retryAttempts = 0): WsClient {
  const params = connectionParams ?? defaultHeadersFor(httpUrl);
  return createWsClient({ url: wsUrl(httpUrl), webSocketImpl: WebSocket, connectionParams: params, retryAttempts, lazy: true });
}

/** A graphql-sse client; without headers it sends the URL's default ones (the Authorization header). */
export function graphqlSseClient(httpUrl: string, headers?: Record<string, string>): SseClient {
  return createSseClient({ url: httpUrl, headers: headers ?? defaultHeadersFor(httpUrl), retryAttempts: 0 });
}

const ADJUST = `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`;

export async function adjustInventory(url: string, sku: string, warehouseCode: string, quantityDelta: string): Promise<void> {
  await graphqlData(url, ADJUST, { input: { sku, warehouseCode, quantityDelta, reason: "e2e subscription test", idempotencyKey: randomUUID() } });
}

export interface PositionKey {
  sku: string;
  warehouseCode: string;
}

/** Stocked positions of distinct skus (onHand > 20, so -1 adjustments never fail). */
export async function stockedPositions(url: string, count: number): Promise<PositionKey[]> {
  const data = await graphqlData<{ inventoryPositions: { edges: { node: PositionKey & { onHand: string } }[] } }>(
    url,
    `{ inventoryPositions(first: 200) { edges { node { sku warehouseCode onHand } } } }`,
  );
  const seen = new Set<string>();
  // Distinct skus, so a sku-only filter separates them too.
  const stocked = data.inventoryPositions.edges.map((e) => e.node).filter((p) => Number(p.onHand) > 20 && !seen.has(p.sku) && seen.add(p.sku));
  if (stocked.length < count) throw new Error(`only ${stocked.length} stocked positions`);
  return stocked.slice(0, count).map(({ sku, warehouseCode }) => ({ sku, warehouseCode }));
}

export const INVENTORY_SUBSCRIPTION = `subscription($sku: ID, $wh: ID, $after: String) {
  inventoryChanged(sku: $sku, warehouseCode: $wh, after: $after) {
    cursor previousAvailable occurredAt
    position { sku warehouseCode onHand available product { description } warehouse { name } }
  } }`;
