// Fault injection for the process layer, through the public API: a subgraph down during a step
// (retried, then succeeds), a step that keeps failing (compensates, parks; an operator's retry
// works once the cause is fixed), and the flows killed mid-step (restart from the cursor, no
// duplicate fulfilment, invoice or case). Faults come from a proxy between flows and gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphqlData } from "../src/index.js";
import { BACKENDS, backendAvailable, startTestHub, type TestHub } from "./hubHarness.js";
import { FaultProxy } from "@crossdock/test/faults";
import { activeFulfillments, milestone, orderWhen, pickAndShip, runOf, seededCustomerAndStock, submit, type Seeded } from "./flowsSupport.js";

const RETRY = `mutation($r: ID!, $s: String) { retryFlowRun(runId: $r, fromStep: $s) { status operatorActions } }`;

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`flows under faults (${backend})`, () => {
    let t: TestHub;
    let proxy: FaultProxy;
    let seeded: Seeded;

    beforeAll(async () => {
      proxy = new FaultProxy();
      await proxy.start();
      t = await startTestHub(backend, 0.05, {
        FLOWS_ENABLED: "1",
        FLOWS_GATEWAY_URL: proxy.url,
        FLOWS_MAX_ATTEMPTS: "4",
        FLOWS_MAX_UNAVAILABLE_ATTEMPTS: "6",
        FLOWS_BACKOFF_BASE_MS: "50",
        FLOWS_BACKOFF_MAX_MS: "400",
      });
      proxy.target = t.url;
      seeded = await seededCustomerAndStock(t.url);
    });
    afterAll(async () => {
      await t?.stop();
      await proxy?.stop();
    });

    it("a subgraph down during a step: the step is retried with backoff and then succeeds, once", async () => {
      proxy.rules.push({ match: "addTimelineEntry", mode: "fail", times: 2 });
      const orderNumber = (await submit(t.url, seeded)).order.orderNumber;
      const o = await orderWhen(
        t.url,
        orderNumber,
        (x) => runOf(x, "orderToCash")?.steps.find((s: any) => s.name === "timelineReleased")?.status === "SUCCEEDED",
      );
      const step = runOf(o, "orderToCash").steps.find((s: any) => s.name === "timelineReleased");
      expect(step.status).toBe("SUCCEEDED");
      expect(step.attempts).toBe(3);
      expect(step.attemptLog.map((a: any) => a.outcome)).toEqual(["FAILED", "FAILED", "SUCCEEDED"]);
      expect(step.attemptLog[0].errorCode).toBe("SERVICE_UNAVAILABLE");
      expect(o.timeline.filter((e: any) => e.kind === "ORDER_RELEASED")).toHaveLength(1);
      expect(activeFulfillments(o)).toHaveLength(1);
      proxy.rules.length = 0;
    });

    it("a step that keeps failing compensates (cancels its fulfilment) and parks; a retry after the fix completes it", async () => {
      proxy.rules.push({ match: "addTimelineEntry", mode: "fail", times: Infinity });
      const orderNumber = (await submit(t.url, seeded)).order.orderNumber;
      const parked = await orderWhen(t.url, orderNumber, (x) => runOf(x, "orderToCash")?.status === "PARKED");
      const run = runOf(parked, "orderToCash");
      expect(run.steps.map((s: any) => [s.name, s.status])).toEqual([
        ["createFulfillment", "COMPENSATED"],
        ["timelineReleased", "PARKED"],
      ]);
      expect(run.steps[1].attempts).toBe(4);
      expect(parked.fulfillments.map((f: any) => f.status)).toEqual(["CANCELLED"]);
      const { parkedFlowRuns } = await graphqlData<any>(t.url, `{ parkedFlowRuns { runId lastError } }`);
      expect(parkedFlowRuns.map((r: any) => r.runId)).toContain(run.runId);

      proxy.rules.length = 0;
      const retried = await graphqlData<any>(t.url, RETRY, { r: run.runId, s: null });
      expect(retried.retryFlowRun.operatorActions).toBe(1);
      const healed = await orderWhen(t.url, orderNumber, (x) => activeFulfillments(x).length === 1 && x.timeline.some((e: any) => e.kind === "ORDER_RELEASED"));
      const again = runOf(healed, "orderToCash");
      expect(again.status).toBe("RUNNING");
      expect(again.steps[0]).toMatchObject({ status: "SUCCEEDED", generation: 1, idempotencyKey: `flow:${run.runId}:createFulfillment:g1` });
      expect(healed.fulfillments.map((f: any) => f.status).sort()).toEqual(["CANCELLED", "RELEASED"]);
      const { flowMetrics } = await graphqlData<any>(t.url, `{ flowMetrics { manualTouchRate } }`);
      expect(flowMetrics.manualTouchRate).toBeGreaterThan(0);
    });

    it("a service that stays unavailable is retried past the attempt limit, then parks where operators see it", async () => {
      proxy.rules.push({ match: "addTimelineEntry", mode: "unavailable", times: Infinity });
      const orderNumber = (await submit(t.url, seeded)).order.orderNumber;
      const parked = await orderWhen(t.url, orderNumber, (x) => runOf(x, "orderToCash")?.status === "PARKED");
      proxy.rules.length = 0;
      const step = runOf(parked, "orderToCash").steps.find((s: any) => s.name === "timelineReleased");
      expect(step.status).toBe("PARKED");
      // Beyond FLOWS_MAX_ATTEMPTS (4): an outage is not the step's fault, but it does not retry out of sight forever.
      expect(step.attempts).toBe(6);
      expect(step.attemptLog.map((a: any) => a.errorCode)).toEqual(Array(6).fill("SERVICE_UNAVAILABLE"));
      const { parkedFlowRuns } = await graphqlData<any>(t.url, `{ parkedFlowRuns { runId } }`);
      expect(parkedFlowRuns.map((r: any) => r.runId)).toContain(runOf(parked, "orderToCash").runId);
    });

    it("the flows killed mid-step resume from their cursor without a duplicate fulfilment, invoice or case", async () => {
      proxy.rules.push({ match: "createFulfillment(", mode: "hang", times: 1 });
      const orderNumber = (await submit(t.url, seeded, "2")).order.orderNumber;
      // The WMS committed the fulfilment; the flows never heard back. Then the process dies.
      await orderWhen(t.url, orderNumber, (x) => x.fulfillments.length === 1, 15_000, false);
      await t.hub.flows.stop({ abrupt: true });
      proxy.releaseHeld();
      // Meanwhile the warehouse works on: a shipment and an exception the stopped flows must catch up on.
      const [fulfillment] = activeFulfillments(await orderWhen(t.url, orderNumber, (x) => activeFulfillments(x).length === 1, 15_000, false));
      const shipmentId = await pickAndShip(t.url, fulfillment);
      await milestone(t.url, shipmentId, "EXCEPTION");
      proxy.rules.push({ match: "openCase(", mode: "hang", times: 1 });
      await t.hub.flows.restart();
      await orderWhen(t.url, orderNumber, (x) => x.cases.length === 1, 15_000, false);
      await t.hub.flows.stop({ abrupt: true });
      proxy.releaseHeld();
      await t.hub.flows.restart();

      const done = await orderWhen(
        t.url,
        orderNumber,
        (x) =>
          x.billingHold &&
          x.invoice !== null &&
          runOf(x, "shipmentException")?.steps.every((s: any) => s.status === "SUCCEEDED") &&
          x.timeline.some((e: any) => e.kind === "SHIPMENT_SHIPPED"),
      );
      expect(done.fulfillments).toHaveLength(1);
      expect(done.cases).toHaveLength(1);
      expect(done.lines[0].quantityShipped).toBe("2");
      const o2c = runOf(done, "orderToCash");
      expect(o2c.steps.find((s: any) => s.name === "createFulfillment").attempts).toBe(2);
      expect(runOf(done, "shipmentException").steps.find((s: any) => s.name === "openCase").attempts).toBe(2);
      expect(done.timeline.filter((e: any) => e.kind === "SHIPMENT_SHIPPED")).toHaveLength(1);
    });
  });
}
