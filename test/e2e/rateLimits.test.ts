// Rate limits per caller on the whole hub (the embedded hub keeps its buckets in process): a
// warehouse clerk over its rate gets 429, Retry-After and RATE_LIMITED and adjusts no stock,
// while the other callers go on; a graphql-ws subscription start over the rate is refused with
// the same code and the socket stays open.
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bearer, fetchMetrics, graphql, metricSum, roleToken } from "../src/index.js";
import { startTestHub, type TestHub } from "./hubHarness.js";
import { INVENTORY_SUBSCRIPTION, stockedPositions, type PositionKey } from "./subscriptionsClients.js";

/** One token every 10 s, five at once: no test here sees a token come back on its own. */
const POLICY = { perMinute: 6, burst: 5 };
const ADJUST = `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`;

describe("rate limits per caller (pglite)", () => {
  let t: TestHub;
  let position: PositionKey;
  beforeAll(async () => {
    t = await startTestHub("pglite", 0.05, { CROSSDOCK_RATE_LIMIT_PER_MINUTE: String(POLICY.perMinute), CROSSDOCK_RATE_LIMIT_BURST: String(POLICY.burst) });
    [position] = (await stockedPositions(t.url, 1)) as [PositionKey];
  });
  afterAll(async () => t?.stop());

  const adjust = (headers: Record<string, string>) =>
    fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({
        query: ADJUST,
        variables: { input: { ...position, quantityDelta: "-1", reason: "rate-limit e2e", idempotencyKey: randomUUID() } },
      }),
    });
  const onHandAfter = async (response: Response) => ((await response.json()) as { data: { adjustInventory: { onHand: string } } }).data.adjustInventory.onHand;
  const onHandQuery = `query($sku: ID!, $wh: ID!) { inventoryPosition(sku: $sku, warehouseCode: $wh) { onHand } }`;

  it("answers a caller over its rate 429 with Retry-After and RATE_LIMITED, changes nothing, and leaves another caller unaffected", async () => {
    const clerk = bearer(await roleToken(t.hub, "warehouse"));
    let onHand = "";
    for (let i = 0; i < POLICY.burst; i++) {
      const answer = await adjust(clerk);
      expect(answer.status).toBe(200);
      onHand = await onHandAfter(answer);
    }
    const refused = await adjust(clerk);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60 / POLICY.perMinute);
    expect(((await refused.json()) as any).errors).toEqual([
      { message: expect.stringContaining("Rate limit exceeded"), extensions: { code: "RATE_LIMITED", retryAfterSeconds: retryAfter } },
    ]);
    // The all-access caller is another bucket: its adjustment goes through, one below the clerk's last.
    const other = await adjust(bearer(t.token));
    expect(other.status).toBe(200);
    expect(Number(await onHandAfter(other))).toBe(Number(onHand) - 1);
    expect(metricSum(await fetchMetrics(t.url), "crossdock_gateway_rate_limited_total", { kind: "user" })).toBeGreaterThanOrEqual(1);
  });

  it("refuses a graphql-ws subscription start over the rate with RATE_LIMITED and keeps the socket open", async () => {
    const token = await roleToken(t.hub, "analyst");
    const socket = new WebSocket(t.url.replace(/^http/, "ws"), "graphql-transport-ws");
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    await once(socket, "open");
    socket.send(JSON.stringify({ type: "connection_init", payload: bearer(token) }));
    await expect.poll(() => messages.some((m) => m.type === "connection_ack")).toBe(true);
    // The analyst's bucket is shared with its HTTP calls: spend it there.
    for (let i = 0; ; i++) {
      const answer = await graphql(t.url, onHandQuery, { sku: position.sku, wh: position.warehouseCode }, bearer(token));
      if (answer.status === 429) break;
      expect(i).toBeLessThan(POLICY.burst);
    }
    socket.send(
      JSON.stringify({
        id: "over",
        type: "subscribe",
        payload: { query: INVENTORY_SUBSCRIPTION, variables: { sku: position.sku, wh: position.warehouseCode } },
      }),
    );
    await expect.poll(() => messages.find((m) => m.id === "over")).toMatchObject({ type: "error", payload: [{ extensions: { code: "RATE_LIMITED" } }] });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });
});
