// Federated, resumable subscriptions at the gateway, through real graphql-ws and graphql-sse
// clients: events carry ERP and WMS fields, filters hold, a resume delivers exactly what was
// missed, initial state, expired cursors and invalid documents are refused with their codes.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fetchMetrics, graphqlData, metricSum } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, startTestHub, type TestHub } from "./hubHarness.js";
import {
  adjustInventory,
  collect,
  graphqlSseClient,
  graphqlWsClient,
  INVENTORY_SUBSCRIPTION,
  stockedPositions,
  subscribed,
  type PositionKey,
} from "./subscriptionsClients.js";

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** The gateway's delivery SLI so far: live events handed to a client's connection, and their seconds since commit. */
async function deliveries(url: string): Promise<{ count: number; sum: number }> {
  const text = await fetchMetrics(url);
  return { count: metricSum(text, "crossdock_subscription_delivery_seconds_count"), sum: metricSum(text, "crossdock_subscription_delivery_seconds_sum") };
}

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`subscriptions at the gateway (${backend})`, () => {
    let t: TestHub;
    let a: PositionKey;
    let b: PositionKey;
    beforeAll(async () => {
      t = await startTestHub(backend);
      [a, b] = (await stockedPositions(t.url, 2)) as [PositionKey, PositionKey];
    });
    afterAll(async () => t?.stop());
    // Each test starts with no subscription open: a test's "1 open" must be its own, not the last test's still closing.
    afterEach(async () => subscribed(t.url, 0));

    it("pushes a change on the subscribed key with ERP and WMS fields, and nothing from other keys", async () => {
      const client = graphqlWsClient(t.url);
      const sub = collect(client, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      await subscribed(t.url, 1);
      const before = { at: Date.now(), ...(await deliveries(t.url)) };
      await adjustInventory(t.url, b.sku, b.warehouseCode, "-1");
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-2");
      const [first] = await sub.waitFor(1);
      // Measured from the change's commit to the frame written to this socket: after `before`, and before now.
      const after = await deliveries(t.url);
      expect(after.count - before.count).toBe(1);
      expect(after.sum - before.sum).toBeGreaterThan(0);
      expect(after.sum - before.sum).toBeLessThanOrEqual((Date.now() - before.at) / 1000 + 0.01);
      const event = first.inventoryChanged;
      expect(event.position).toMatchObject({ sku: a.sku, warehouseCode: a.warehouseCode });
      expect(event.position.product.description.length).toBeGreaterThan(0);
      expect(event.position.warehouse.name.length).toBeGreaterThan(0);
      expect(Number(event.previousAvailable) - Number(event.position.available)).toBe(2);
      expect(event.cursor).toMatch(/^\d+$/);
      await settle();
      expect(sub.events).toHaveLength(1);
      await client.dispose();
    });

    it("ends one subscription on the client's complete and keeps the others of the same connection delivering", async () => {
      const client = graphqlWsClient(t.url);
      const onA = collect(client, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      const onB = collect(client, INVENTORY_SUBSCRIPTION, { sku: b.sku, wh: b.warehouseCode });
      await subscribed(t.url, 2);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      await onA.waitFor(1);
      onA.unsubscribe();
      // The gateway let go of it (graphql-ws sent `complete`): only the other one stays registered.
      await subscribed(t.url, 1);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "1");
      await adjustInventory(t.url, b.sku, b.warehouseCode, "-1");
      const [onBEvent] = await onB.waitFor(1);
      expect(onBEvent.inventoryChanged.position).toMatchObject({ sku: b.sku, warehouseCode: b.warehouseCode });
      await settle();
      expect(onA.events).toHaveLength(1);
      expect(onB.events).toHaveLength(1);
      await client.dispose();
    });

    it("takes the position's own fields from the change feed and the other subgraphs' fields through the plan", async () => {
      const metrics = async () => {
        const text = await (await fetch(t.url.replace(/\/graphql$/, "/metrics"))).text();
        return Number(/^crossdock_subscription_payload_answers_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
      };
      const client = graphqlWsClient(t.url);
      const fromFeed = collect(
        client,
        `subscription($sku: ID!, $wh: ID!) { inventoryChanged(sku: $sku, warehouseCode: $wh) {
          cursor position { sku warehouseCode onHand allocated available product { sku description } warehouse { code name } } } }`,
        { sku: b.sku, wh: b.warehouseCode },
      );
      // updatedAt is not in the feed payload: this selection's root fetch goes to the ops subgraph.
      const fromOps = collect(
        client,
        `subscription($sku: ID!, $wh: ID!) { inventoryChanged(sku: $sku, warehouseCode: $wh) { cursor position { onHand updatedAt product { description } } } }`,
        { sku: b.sku, wh: b.warehouseCode },
      );
      await subscribed(t.url, 2);
      const answeredBefore = await metrics();
      await adjustInventory(t.url, b.sku, b.warehouseCode, "-1");
      const [[viaFeed], [viaOps]] = await Promise.all([fromFeed.waitFor(1), fromOps.waitFor(1)]);
      await t.hub.drainCapture();
      const now = await graphqlData<{ inventoryPosition: Record<string, unknown> }>(
        t.url,
        `query($sku: ID!, $wh: ID!) { inventoryPosition(sku: $sku, warehouseCode: $wh) {
          sku warehouseCode onHand allocated available product { sku description } warehouse { code name } } }`,
        { sku: b.sku, wh: b.warehouseCode },
      );
      // Nothing else changes this key meanwhile: the values at the change are the current ones.
      expect(viaFeed.inventoryChanged.position).toEqual(now.inventoryPosition);
      expect(viaOps.inventoryChanged.cursor).toBe(viaFeed.inventoryChanged.cursor);
      expect(viaOps.inventoryChanged.position.onHand).toBe(now.inventoryPosition.onHand);
      expect(Date.parse(viaOps.inventoryChanged.position.updatedAt)).not.toBeNaN();
      expect(viaOps.inventoryChanged.position.product).toEqual({ description: (now.inventoryPosition.product as { description: string }).description });
      expect(await metrics()).toBeGreaterThan(answeredBefore);
      await client.dispose();
    });

    it("resumes after a disconnect with exactly the missed events, in order, then continues live", async () => {
      let client = graphqlWsClient(t.url);
      const first = collect(client, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode });
      await subscribed(t.url, 1);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      const [seen] = await first.waitFor(1);
      const last = seen.inventoryChanged.cursor;
      // A watcher on every position sees each missed change reach the feed before the next is made:
      // changes the ingest applies in one batch make one entry per position (and -1 then +1 none).
      const watcherClient = graphqlWsClient(t.url);
      const watcher = collect(watcherClient, INVENTORY_SUBSCRIPTION, {});
      await subscribed(t.url, 2);
      await client.dispose();
      const seenFor = (sku: string) => watcher.events.filter((e) => e.inventoryChanged.position.sku === sku).length;
      for (const [key, delta] of [
        [a, "-1"],
        [b, "-1"],
        [a, "1"],
      ] as const) {
        const before = seenFor(key.sku);
        await adjustInventory(t.url, key.sku, key.warehouseCode, delta);
        expect(
          await eventually(
            async () => seenFor(key.sku),
            (n) => n > before,
            10_000,
          ),
        ).toBeGreaterThan(before);
      }
      await watcherClient.dispose();
      client = graphqlWsClient(t.url);
      const resumed = collect(client, INVENTORY_SUBSCRIPTION, { sku: a.sku, wh: a.warehouseCode, after: last });
      const missed = await resumed.waitFor(2);
      const onHand = Number(seen.inventoryChanged.position.onHand);
      expect(missed.map((e) => Number(e.inventoryChanged.position.onHand))).toEqual([onHand - 1, onHand]);
      const cursors = missed.map((e) => BigInt(e.inventoryChanged.cursor));
      expect(cursors[0]! > BigInt(last) && cursors[1]! > cursors[0]!).toBe(true);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      const all = await resumed.waitFor(3);
      await settle();
      expect(resumed.events).toHaveLength(3);
      expect(Number(all[2].inventoryChanged.position.onHand)).toBe(onHand - 1);
      await client.dispose();
    });

    it("serves the same subscription over Server-Sent Events", async () => {
      const client = graphqlSseClient(t.url);
      const sub = collect(client, INVENTORY_SUBSCRIPTION, { sku: b.sku });
      await subscribed(t.url, 1);
      const before = await deliveries(t.url);
      await adjustInventory(t.url, a.sku, a.warehouseCode, "-1");
      await adjustInventory(t.url, b.sku, b.warehouseCode, "-1");
      const [event] = await sub.waitFor(1);
      expect(event.inventoryChanged.position.sku).toBe(b.sku);
      // The SSE stream's write is measured as well: one live event, one delivery.
      expect((await deliveries(t.url)).count - before.count).toBe(1);
      expect(event.inventoryChanged.position.product.description.length).toBeGreaterThan(0);
      await settle();
      expect(sub.events).toHaveLength(1);
      sub.unsubscribe();
      client.dispose();
      // The server lets go of the subscription when the stream closes.
      await subscribed(t.url, 0);
    });

    it("ends a Server-Sent Events stream when its token expires, and cuts a new one with that token at once", async () => {
      const token = await t.hub.identity!.issueToken({ subject: "sse-expiry", scopes: ["inventory:read"], lifetimeSeconds: 8 });
      const expiresAt = (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000;
      const open = () =>
        fetch(t.url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: INVENTORY_SUBSCRIPTION, variables: { sku: b.sku } }),
        });
      /** Reads the stream until the gateway cuts it (no `complete`: a client retries with a fresh token). */
      const readToEnd = async (response: Response) => {
        const reader = response.body!.getReader();
        let text = "";
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += Buffer.from(chunk.value).toString("utf8");
        } catch {
          // a destroyed stream may surface as a read error rather than `done`
        }
        return { text, endedAt: Date.now() };
      };
      const response = await open();
      expect(response.status).toBe(200);
      const first = await readToEnd(response);
      expect(first.endedAt).toBeGreaterThanOrEqual(expiresAt);
      expect(first.text).not.toContain("event: complete");
      // Within the verifier's clock tolerance the token still signs in, but its stream ends at once;
      // past the tolerance it is 401.
      const reopenedAt = Date.now();
      const again = await open();
      if (again.status === 200) {
        const second = await readToEnd(again);
        expect(second.text).not.toContain("event: next");
        // Cut at once, not held open for the lifetime a fresh token would get.
        expect(second.endedAt - reopenedAt).toBeLessThan(5000);
      } else {
        expect(again.status).toBe(401);
      }
      await subscribed(t.url, 0);
    });

    it("starts with the current state when includeCurrent is set", async () => {
      const client = graphqlWsClient(t.url);
      const sub = collect(
        client,
        `subscription($sku: ID!, $wh: ID!) { inventoryChanged(sku: $sku, warehouseCode: $wh, includeCurrent: true) { cursor previousAvailable position { onHand warehouse { code } } } }`,
        { sku: a.sku, wh: a.warehouseCode },
      );
      const [current] = await sub.waitFor(1);
      const { inventoryPosition } = await graphqlData<{ inventoryPosition: { onHand: string } }>(
        t.url,
        `query($s: ID!, $w: ID!) { inventoryPosition(sku: $s, warehouseCode: $w) { onHand } }`,
        { s: a.sku, w: a.warehouseCode },
      );
      expect(current.inventoryChanged.position.onHand).toBe(inventoryPosition.onHand);
      expect(current.inventoryChanged.previousAvailable).toBeNull();
      await adjustInventory(t.url, a.sku, a.warehouseCode, "1");
      const [, next] = await sub.waitFor(2);
      expect(BigInt(next.inventoryChanged.cursor) > BigInt(current.inventoryChanged.cursor)).toBe(true);
      expect(Number(next.inventoryChanged.position.onHand)).toBe(Number(inventoryPosition.onHand) + 1);
      await client.dispose();
    });

    it("pushes order stage changes filtered by customer, with ERP fields of the order", async () => {
      const { customers } = await graphqlData<{ customers: { edges: { node: { customerNumber: string } }[] } }>(
        t.url,
        `{ customers(status: ACTIVE, first: 1) { edges { node { customerNumber } } } }`,
      );
      const customerNumber = customers.edges[0]!.node.customerNumber;
      const client = graphqlWsClient(t.url);
      const sub = collect(
        client,
        `subscription($c: ID) { orderStatusChanged(customerNumber: $c) { cursor stage previousStage order { orderNumber customer { customerNumber name } statusView { stage } } } }`,
        { c: customerNumber },
      );
      await subscribed(t.url, 1);
      const submitted = await graphqlData<{ submitOrder: { order: { orderNumber: string } | null; outcome: string } }>(
        t.url,
        `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { outcome order { orderNumber } } }`,
        { input: { idempotencyKey: randomUUID(), customerNumber, warehouseCode: a.warehouseCode, lines: [{ sku: a.sku, quantity: "1" }], requestedBy: "e2e" } },
      );
      const [event] = await sub.waitFor(1);
      expect(event.orderStatusChanged.order.orderNumber).toBe(submitted.submitOrder.order!.orderNumber);
      expect(event.orderStatusChanged.order.customer).toMatchObject({ customerNumber });
      expect(event.orderStatusChanged.order.customer.name.length).toBeGreaterThan(0);
      expect(["RELEASED", "CREDIT_HOLD"]).toContain(event.orderStatusChanged.stage);
      await client.dispose();
    });

    it("pushes a shipment milestone with the WMS shipment and the ERP order behind it", async () => {
      const { orders } = await graphqlData<{ orders: { edges: { node: { fulfillments: { shipments: { shipmentId: string; status: string }[] }[] } }[] } }>(
        t.url,
        `{ orders(first: 200) { edges { node { fulfillments { shipments { shipmentId status } } } } } }`,
      );
      const shipment = orders.edges
        .flatMap((e) => e.node.fulfillments.flatMap((f) => f.shipments))
        .find((s) => s.status === "CREATED" || s.status === "IN_TRANSIT");
      expect(shipment, "a seeded shipment still on its way").toBeDefined();
      const next = shipment!.status === "CREATED" ? "IN_TRANSIT" : "OUT_FOR_DELIVERY";
      const client = graphqlWsClient(t.url);
      const sub = collect(
        client,
        `subscription($id: ID) { shipmentUpdated(shipmentId: $id) { cursor milestone { code location } shipment { shipmentId status order { orderNumber status } } } }`,
        { id: shipment!.shipmentId },
      );
      await subscribed(t.url, 1);
      await graphqlData(t.url, `mutation($i: ShipmentMilestoneInput!) { recordShipmentMilestone(input: $i) { status } }`, {
        i: { shipmentId: shipment!.shipmentId, code: next, location: "Reno, NV", idempotencyKey: randomUUID() },
      });
      // The shipment row and its milestone row may arrive as separate changes: wait for the milestone's.
      let event: any;
      for (let count = 1; !event && count <= 3; count++) event = (await sub.waitFor(count)).find((e) => e.shipmentUpdated.milestone)?.shipmentUpdated;
      expect(event.milestone).toEqual({ code: next, location: "Reno, NV" });
      expect(event.shipment).toMatchObject({ shipmentId: shipment!.shipmentId, status: next });
      expect(event.shipment.order.orderNumber).toMatch(/^SO-/);
      expect(event.shipment.order.status.length).toBeGreaterThan(0);
      await client.dispose();
    });

    it("rejects invalid subscription documents before anything streams", async () => {
      const client = graphqlWsClient(t.url);
      const cases: [string, Record<string, unknown>, string][] = [
        [`subscription { inventoryChanged { nope } }`, {}, "GRAPHQL_VALIDATION_FAILED"],
        [`subscription { inventoryChanged { cursor } orderStatusChanged { cursor } }`, {}, "GRAPHQL_VALIDATION_FAILED"],
        [`subscription { inventoryChanged( { cursor } }`, {}, "GRAPHQL_PARSE_FAILED"],
        [`subscription($s: Int) { inventoryChanged(sku: $s) { cursor } }`, { s: 1 }, "GRAPHQL_VALIDATION_FAILED"],
        [`subscription { inventoryChanged(after: "not-a-cursor") { cursor } }`, {}, "INVALID_CURSOR"],
        [`subscription { inventoryChanged(after: "99999999999") { cursor } }`, {}, "INVALID_CURSOR"],
        [`subscription { inventoryChanged(after: "1", includeCurrent: true) { cursor } }`, {}, "BAD_USER_INPUT"],
        // Positions page through everything; the other streams need a filter for their initial state.
        [`subscription { orderStatusChanged(includeCurrent: true) { cursor } }`, {}, "BAD_USER_INPUT"],
      ];
      for (const [query, variables, code] of cases) {
        const sub = collect(client, query, variables);
        await sub.ended();
        expect(sub.events, query).toHaveLength(0);
        expect(JSON.stringify(sub.errors), query).toContain(code);
      }
      await client.dispose();
    });

    it("refuses a cursor older than the feed's retention with CURSOR_EXPIRED", async () => {
      // Prune like retention would: drop the oldest entries of the feed.
      const db = t.hub.subscriptionFeed.database;
      const [row] = await db.query<{ c: string }>(`SELECT (MIN("cursor") + 5)::text AS c FROM "ChangeFeedEntry"`);
      await db.query(`DELETE FROM "ChangeFeedEntry" WHERE "cursor" <= $1::bigint`, [row!.c]);
      const client = graphqlWsClient(t.url);
      const expired = collect(client, INVENTORY_SUBSCRIPTION, { after: "1" });
      await expired.ended();
      expect(JSON.stringify(expired.errors)).toContain("CURSOR_EXPIRED");
      const fresh = collect(client, INVENTORY_SUBSCRIPTION, { after: row!.c });
      await settle();
      expect(fresh.errors).toHaveLength(0);
      await client.dispose();
    });
  });
}
