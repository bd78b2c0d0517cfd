// The ops console in a real headless Chromium against the whole hub on Postgres: sign in with a
// token (an analyst's is refused), watch lag per source, see a live inventory change arrive by
// subscription after a mutation, replay and discard a dead letter, retry a parked flow run, look
// up an order and read the audit log. Each page's screenshot goes to test-results/console/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { graphqlData } from "../src/index.js";
import { browserAvailable, chromiumPath } from "../src/browser.js";
import { FaultProxy } from "@crossdock/test/faults";
import { backendAvailable, startTestHub, type TestHub } from "./hubHarness.js";
import { orderWhen, runOf, seededCustomerAndStock, submit, type Seeded } from "./flowsSupport.js";

const SHOTS = join(process.cwd(), "test-results", "console");

describe.skipIf(!browserAvailable() || !(await backendAvailable("postgres")))("ops console in a browser (postgres)", () => {
  let t: TestHub;
  let proxy: FaultProxy;
  let browser: Browser;
  let page: Page;
  let seeded: Seeded;
  let deadLetterId: string;
  let parkedRun: { runId: string; orderNumber: string };
  let consoleUrl: string;

  const operatorToken = () => t.hub.identity!.demoTokens.opsAdmin!.token;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const go = async (route: string) => {
    await page.click(`nav a[data-page="${route}"]`);
    await page.waitForFunction(`location.hash === "#/${route}"`);
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    proxy = new FaultProxy();
    await proxy.start();
    t = await startTestHub("postgres", 0.05, {
      FLOWS_ENABLED: "1",
      FLOWS_GATEWAY_URL: proxy.url,
      FLOWS_MAX_ATTEMPTS: "2",
      FLOWS_BACKOFF_BASE_MS: "50",
      FLOWS_BACKOFF_MAX_MS: "200",
    });
    proxy.target = t.url;
    consoleUrl = t.url.replace(/\/graphql$/, "/console");
    seeded = await seededCustomerAndStock(t.url);

    // A dead letter as capture parks one: an event whose JSON is cut off.
    const hubDb = new pg.Client({ connectionString: t.databaseUrls!.hub });
    await hubDb.connect();
    const planted = await hubDb.query<{ id: string }>(
      `INSERT INTO "DeadLetter" ("source", "topic", "position", "rawValue", "reason", "error", "attempts", "status", "firstFailedAt", "lastFailedAt")
       VALUES ('wms', 'wms.public.Stock', $1, '{"op":"u","after":{"id":"7"', 'UNDECODABLE', 'Unexpected end of JSON input', 1, 'PARKED', now(), now())
       RETURNING "id"::text AS "id"`,
      [`console-${randomUUID()}`],
    );
    await hubDb.end();
    deadLetterId = planted.rows[0]!.id;

    // A parked flow run: the CRM timeline write keeps failing until the proxy lets it through.
    proxy.rules.push({ match: "addTimelineEntry", mode: "fail", times: Infinity });
    const orderNumber = (await submit(t.url, seeded)).order.orderNumber as string;
    const parked = await orderWhen(t.url, orderNumber, (o) => runOf(o, "orderToCash")?.status === "PARKED", 60_000);
    parkedRun = { runId: runOf(parked, "orderToCash").runId, orderNumber };
    proxy.rules.length = 0;

    browser = await chromium.launch({ executablePath: chromiumPath()!, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await proxy?.stop();
  });

  it("refuses a token without ops:admin at sign-in, then signs the operator in", async () => {
    await page.goto(consoleUrl);
    // The development hub offers its demo operator's token; the test types its own.
    await page.waitForSelector("form.signin textarea");
    await page.fill("form.signin textarea", t.hub.identity!.demoTokens.analyst!.token);
    await page.click("form.signin button[type=submit]");
    await expect.poll(() => page.textContent("form.signin [role=alert]"), { timeout: 20_000 }).toMatch(/ops:admin/);
    await page.fill("form.signin textarea", operatorToken());
    await page.click("form.signin button[type=submit]");
    await page.waitForSelector("nav a[data-page=overview]");
  });

  it("overview: state and lag per captured source, live", async () => {
    await go("overview");
    await page.waitForSelector("table[data-table=sources] tr[data-source=erp]", { timeout: 20_000 });
    const sources = await page.$$eval("table[data-table=sources] tbody tr", (rows) => rows.map((r) => r.getAttribute("data-source")));
    expect(sources).toEqual(expect.arrayContaining(["erp", "crm", "wms"]));
    const lag = await page.textContent("table[data-table=sources] tr[data-source=wms] td[data-lag]");
    expect(lag).toMatch(/\d+(\.\d)? (ms|s)/);
    // Each captured source's state, measured against its head: caught up here.
    await expect.poll(() => page.textContent("table[data-table=sources] tr[data-source=wms] td[data-state]"), { timeout: 20_000 }).toBe("UP");
    await shot("overview");
  });

  it("live inventory: a change made through the API arrives by subscription", async () => {
    await go("inventory");
    await page.fill("input[name=sku]", seeded.sku);
    await page.fill("input[name=warehouseCode]", seeded.warehouseCode);
    await page.click("form.inline button[type=submit]");
    const row = `tr[data-key="${seeded.sku}|${seeded.warehouseCode}"]`;
    await page.waitForSelector(row, { timeout: 20_000 });
    await page.waitForSelector("[data-live=yes]", { timeout: 20_000 });
    const before = await page.textContent(`${row} td[data-on-hand]`);
    const { adjustInventory } = await graphqlData<{ adjustInventory: { onHand: string } }>(
      t.url,
      `mutation($i: AdjustInventoryInput!) { adjustInventory(input: $i) { onHand } }`,
      { i: { sku: seeded.sku, warehouseCode: seeded.warehouseCode, quantityDelta: "7", reason: "console test", idempotencyKey: randomUUID() } },
    );
    expect(adjustInventory.onHand).not.toBe(before);
    await expect.poll(() => page.textContent(`${row} td[data-on-hand]`), { timeout: 30_000 }).not.toBe(before);
    await shot("inventory");
  });

  it("dead letters: replay (still failing, stays parked) and discard", async () => {
    await go("dead-letters");
    const row = `table[data-table=dead-letters] tr[data-id="${deadLetterId}"]`;
    await page.waitForSelector(row, { timeout: 20_000 });
    expect(await page.textContent(row)).toContain("UNDECODABLE");
    await shot("dead-letters");
    await page.click(`${row} button[data-action=replay]`);
    await expect.poll(() => page.textContent("[role=status]"), { timeout: 20_000 }).toMatch(new RegExp(`${deadLetterId}: PARKED \\(still failing`));
    const letter = async () =>
      (await graphqlData<any>(t.url, `{ deadLetters(status: null, first: 500) { edges { node { id status attempts } } } }`)).deadLetters.edges
        .map((e: any) => e.node)
        .find((l: any) => l.id === deadLetterId);
    expect(await letter()).toEqual({ id: deadLetterId, status: "PARKED", attempts: 2 });
    await page.click(`${row} button[data-action=discard]`);
    await expect.poll(() => page.textContent("[role=status]"), { timeout: 20_000 }).toContain(`${deadLetterId}: DISCARDED`);
    expect((await letter()).status).toBe("DISCARDED");
  });

  it("flow runs: a parked run with its reason; retry completes it", async () => {
    await go("flows");
    const row = `table[data-table=flow-runs] tr[data-run="${parkedRun.runId}"]`;
    await page.waitForSelector(row, { timeout: 20_000 });
    expect(await page.textContent(row)).toContain("timelineReleased");
    await shot("flow-runs");
    await page.click(`${row} button[data-action=retry]`);
    await expect.poll(() => page.textContent("[role=status]"), { timeout: 20_000 }).toContain(parkedRun.runId);
    const released = (o: any) => runOf(o, "orderToCash")?.steps.find((s: any) => s.name === "timelineReleased")?.status;
    const done = await orderWhen(t.url, parkedRun.orderNumber, (o) => released(o) === "SUCCEEDED", 60_000);
    expect(runOf(done, "orderToCash").operatorActions).toBe(1);
    expect(released(done)).toBe("SUCCEEDED");
    expect(runOf(done, "orderToCash").status).not.toBe("PARKED");
  });

  it("orders and audit: the order's status and timeline; the operator's actions in the audit log", async () => {
    await go("orders");
    await page.fill("input[name=orderNumber]", parkedRun.orderNumber);
    await page.click("form.inline button[type=submit]");
    await page.waitForSelector(`[data-order="${parkedRun.orderNumber}"]`, { timeout: 20_000 });
    expect(await page.textContent("table[data-table=order-flows]")).toContain(parkedRun.runId);
    await shot("order");
    await go("audit");
    await expect
      .poll(async () => page.$$eval("table[data-table=audit] tbody tr", (rows) => rows.map((r) => r.textContent ?? "")), { timeout: 30_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/demo-opsAdmin.*replayDeadLetter/), expect.stringMatching(/demo-opsAdmin.*retryFlowRun/)]));
    await shot("audit");
  });

  it("serves the console's files with a strict content security policy, and nothing else under /console", async () => {
    const index = await fetch(consoleUrl);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await index.text()).toContain('<script type="module" src="/console/app.js">');
    expect((await fetch(`${consoleUrl}/secrets.txt`)).status).toBe(404);
    expect((await fetch(`${consoleUrl}/app.js`, { method: "POST" })).status).toBe(405);
    // Its data is not public: the console's own query, without a token, is refused.
    const anonymous = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ syncStatus { sources { source } } }" }),
    });
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });
});
