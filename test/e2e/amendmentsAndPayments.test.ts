// Order amendments and the cash end of order-to-cash, end to end through the public API with
// the flows running: an amendment reaches the WMS (fulfilment replaced) and the CRM timeline; a
// picked order's amendment is refused by the warehouse and compensated (the ERP order back as it
// was); paying the invoice closes the order and grows the customer's headroom; refusals (unknown
// keys, shipped orders, paid invoices, partners) write nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "@crossdock/schema";
import { bearer, graphql, graphqlData, roleToken } from "../src/index.js";
import { startTestHub, type TestHub } from "./hubHarness.js";
import { activeFulfillments, orderWhen, pickAndShip, runOf, seededCustomerAndStock, submit, type Seeded } from "./flowsSupport.js";

const AMEND = `mutation($input: AmendOrderInput!) { amendOrder(input: $input) { outcome reason amendmentNumber changeCursor order { status total lines { quantity product { sku } } } } }`;
const PAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { paymentId amount unapplied appliedTo { invoiceNumber status } customer { openBalance creditLimit } } }`;
const MONEY = `query($n: ID!) { order(orderNumber: $n) { status total paidAmount warehouseCode invoice { invoiceNumber status openAmount }
  lines { quantity product { sku } } customer { customerNumber openBalance creditLimit } } }`;

const codes = (response: { errors?: { extensions?: { code?: string } }[] }) => (response.errors ?? []).map((e) => e.extensions?.code);
const lineSummary = (o: any) => o.lines.map((l: any) => `${l.product.sku}:${l.quantity}`).sort();
const fulfilmentSummary = (f: any) => {
  const bySku = new Map<string, Decimal>();
  for (const line of f.lines) bySku.set(line.sku, (bySku.get(line.sku) ?? new Decimal(0)).plus(line.quantity));
  return [...bySku].map(([sku, quantity]) => `${sku}:${quantity.toFixed()}`).sort();
};

describe("order amendments and payments (pglite)", () => {
  let t: TestHub;
  let seeded: Seeded;
  let secondSku: string;

  beforeAll(async () => {
    t = await startTestHub("pglite", 0.05, { FLOWS_ENABLED: "1" });
    seeded = await seededCustomerAndStock(t.url);
    const positions = await graphqlData<any>(t.url, `{ inventoryPositions(first: 200) { edges { node { sku warehouseCode available } } } }`);
    secondSku = positions.inventoryPositions.edges
      .map((e: any) => e.node)
      .filter((p: any) => p.warehouseCode === seeded.warehouseCode && p.sku !== seeded.sku)
      .sort((a: any, b: any) => new Decimal(b.available).cmp(a.available))[0].sku;
  }, 300_000);
  afterAll(async () => t?.stop());

  // Generous waits: the suite asserts on data, and the machine running it may be busy.
  const when = (orderNumber: string, done: (o: any) => boolean) => orderWhen(t.url, orderNumber, done, 120_000);
  const money = async (orderNumber: string) => (await graphqlData<any>(t.url, MONEY, { n: orderNumber })).order;

  it("an amendment replaces the WMS fulfilment and shows on the order's timeline; a retry changes nothing", async () => {
    const orderNumber = (await submit(t.url, seeded, "3")).order.orderNumber;
    const [original] = activeFulfillments(await when(orderNumber, (o) => activeFulfillments(o).length === 1));
    const input = {
      orderNumber,
      idempotencyKey: randomUUID(),
      reason: "Customer asked for one more and a second item",
      lines: [
        { sku: seeded.sku, quantity: "4" },
        { sku: secondSku, quantity: "1" },
      ],
    };
    const amended = (await graphqlData<any>(t.url, AMEND, { input })).amendOrder;
    expect(amended).toMatchObject({ outcome: "RELEASED", reason: null, amendmentNumber: expect.stringMatching(/^AM-/) });
    expect(lineSummary(amended.order)).toEqual([`${secondSku}:1`, `${seeded.sku}:4`].sort());

    const adjusted = await when(orderNumber, (o) => runOf(o, "orderAmendment")?.status === "COMPLETED" && activeFulfillments(o).length === 1);
    const [replacement] = activeFulfillments(adjusted);
    expect(replacement.fulfillmentId).not.toBe(original.fulfillmentId);
    expect(fulfilmentSummary(replacement)).toEqual(lineSummary(amended.order));
    expect(adjusted.fulfillments.find((f: any) => f.fulfillmentId === original.fulfillmentId).status).toBe("CANCELLED");
    expect(adjusted.timeline.find((e: any) => e.kind === "ORDER_AMENDED").summary).toContain(amended.amendmentNumber);

    // The same key: the first result, no second amendment, no second run.
    expect((await graphqlData<any>(t.url, AMEND, { input })).amendOrder.amendmentNumber).toBe(amended.amendmentNumber);
    await t.hub.drainCapture();
    const again = await when(orderNumber, (o) => runOf(o, "orderAmendment")?.status === "COMPLETED");
    expect(again.flowRuns.filter((r: any) => r.flow === "orderAmendment")).toHaveLength(1);
    expect(activeFulfillments(again)).toHaveLength(1);
  }, 300_000);

  it("the warehouse refuses to amend a picked order: the amendment is withdrawn and the order is back as it was", async () => {
    const orderNumber = (await submit(t.url, seeded, "2")).order.orderNumber;
    const [fulfilment] = activeFulfillments(await when(orderNumber, (o) => activeFulfillments(o).length === 1));
    await graphqlData(t.url, `mutation($i: ConfirmPickInput!) { confirmPick(input: $i) { status } }`, {
      i: {
        fulfillmentId: fulfilment.fulfillmentId,
        lines: fulfilment.lines.map((l: any) => ({ sku: l.sku, quantity: l.quantity })),
        idempotencyKey: randomUUID(),
      },
    });
    const before = await money(orderNumber);
    const amended = (
      await graphqlData<any>(t.url, AMEND, {
        input: { orderNumber, idempotencyKey: randomUUID(), reason: "Too late", lines: [{ sku: seeded.sku, quantity: "5" }] },
      })
    ).amendOrder;
    expect(amended.outcome).toBe("RELEASED");

    // The refused run parks after its compensation; the undo it made runs (and completes) as an amendment of its own.
    const amendmentRuns = (o: any) => o.flowRuns.filter((r: any) => r.flow === "orderAmendment");
    const after = await when(
      orderNumber,
      (o) =>
        o.timeline.some((e: any) => e.kind === "ORDER_AMENDMENT_WITHDRAWN") &&
        amendmentRuns(o).some((r: any) => r.status === "PARKED") &&
        amendmentRuns(o).some((r: any) => r.status === "COMPLETED"),
    );
    const refused = amendmentRuns(after).find((r: any) => r.status === "PARKED");
    expect(refused.steps.find((s: any) => s.name === "adjustFulfilment").lastErrorCode).toBe("INVALID_STATE");
    expect(refused.steps.find((s: any) => s.name === "timelineAmended").status).toBe("COMPENSATED");
    // The order as it was: lines, total, open balance; the picked fulfilment untouched.
    const restored = await money(orderNumber);
    expect(lineSummary(restored)).toEqual(lineSummary(before));
    expect(restored.total).toBe(before.total);
    expect(restored.customer.openBalance).toBe(before.customer.openBalance);
    expect(activeFulfillments(after).map((f: any) => f.fulfillmentId)).toEqual([fulfilment.fulfillmentId]);
    expect(after.timeline.find((e: any) => e.kind === "ORDER_AMENDMENT_WITHDRAWN").summary).toContain(amended.amendmentNumber);
  }, 300_000);

  it("refuses unknown keys, a shipped order and a partner amending another customer's order, writing nothing", async () => {
    const orderNumber = (await submit(t.url, seeded, "1")).order.orderNumber;
    const [fulfilment] = activeFulfillments(await when(orderNumber, (o) => activeFulfillments(o).length === 1));
    await pickAndShip(t.url, fulfilment);
    await when(orderNumber, (o) => o.invoice !== null);
    const open = (await submit(t.url, seeded, "1")).order.orderNumber;
    const others = await graphqlData<any>(t.url, `{ customers(status: ACTIVE, first: 5) { edges { node { customerNumber } } } }`);
    const stranger = others.customers.edges.map((e: any) => e.node.customerNumber).find((c: string) => c !== seeded.customerNumber);
    const partner = bearer(await roleToken(t.hub, "partner", stranger));
    const amend = (input: Record<string, unknown>, headers?: Record<string, string>) =>
      graphql(
        t.url,
        AMEND,
        { input: { orderNumber: open, idempotencyKey: randomUUID(), reason: "x", lines: [{ sku: seeded.sku, quantity: "2" }], ...input } },
        headers,
      );
    const before = [await money(open), await money(orderNumber)];
    expect(codes(await amend({ orderNumber: "SO-999999999" }))).toEqual(["UNKNOWN_ORDER"]);
    expect(codes(await amend({ lines: [{ sku: "NO-SUCH-SKU", quantity: "1" }] }))).toEqual(["UNKNOWN_SKU"]);
    expect(codes(await amend({ warehouseCode: "NO-SUCH-WH" }))).toEqual(["UNKNOWN_WAREHOUSE"]);
    expect(codes(await amend({ orderNumber }))).toEqual(["INVALID_STATE"]);
    expect(codes(await amend({}, partner))).toEqual(["FORBIDDEN"]);
    expect([await money(open), await money(orderNumber)]).toEqual(before);
  }, 300_000);

  it("paying the invoice closes the order and grows the customer's headroom; a paid invoice takes no more; partners cannot pay", async () => {
    const orderNumber = (await submit(t.url, seeded, "2")).order.orderNumber;
    const [fulfilment] = activeFulfillments(await when(orderNumber, (o) => activeFulfillments(o).length === 1));
    await pickAndShip(t.url, fulfilment);
    const invoiced = await when(orderNumber, (o) => o.invoice !== null);
    expect(invoiced.status).toBe("INVOICED");
    const before = await money(orderNumber);
    const headroom = (o: any) => new Decimal(o.customer.creditLimit).minus(o.customer.openBalance);
    const invoiceNumber = before.invoice.invoiceNumber;

    const partner = bearer(await roleToken(t.hub, "partner", seeded.customerNumber));
    const partnerPay = await graphql(
      t.url,
      PAY,
      { input: { customerNumber: seeded.customerNumber, amount: before.total, reference: "P", idempotencyKey: randomUUID(), invoiceNumbers: [invoiceNumber] } },
      partner,
    );
    expect(codes(partnerPay)).toEqual(["FORBIDDEN"]);
    expect(await money(orderNumber)).toEqual(before);

    const payment = (
      await graphqlData<any>(t.url, PAY, {
        input: {
          customerNumber: seeded.customerNumber,
          amount: before.total,
          reference: "WIRE-1",
          idempotencyKey: randomUUID(),
          invoiceNumbers: [invoiceNumber],
        },
      })
    ).recordPayment;
    expect(payment).toMatchObject({ unapplied: "0.00", appliedTo: [{ invoiceNumber, status: "PAID" }] });
    const paid = await money(orderNumber);
    expect(paid).toMatchObject({ status: "CLOSED", paidAmount: before.total, invoice: { status: "PAID", openAmount: "0.00" } });
    expect(headroom(paid).minus(headroom(before)).eq(before.total)).toBe(true);

    const again = await graphql(t.url, PAY, {
      input: { customerNumber: seeded.customerNumber, amount: "1.00", reference: "WIRE-2", idempotencyKey: randomUUID(), invoiceNumbers: [invoiceNumber] },
    });
    expect(codes(again)).toEqual(["INVALID_STATE"]);
    expect(await money(orderNumber)).toEqual(paid);
  }, 300_000);

  it("callers without the scopes are refused: amendOrder needs orders:write, recordPayment finance:write, overdueInvoices finance:read", async () => {
    const orderNumber = (await submit(t.url, seeded, "1")).order.orderNumber;
    const before = await money(orderNumber);
    const warehouse = bearer(await roleToken(t.hub, "warehouse"));
    const serviceDesk = bearer(await roleToken(t.hub, "serviceDesk"));
    const amend = { input: { orderNumber, idempotencyKey: randomUUID(), reason: "x", lines: [{ sku: seeded.sku, quantity: "2" }] } };
    expect(codes(await graphql(t.url, AMEND, amend, warehouse))).toEqual(["FORBIDDEN"]);
    const pay = { input: { customerNumber: seeded.customerNumber, amount: "1.00", reference: "R", idempotencyKey: randomUUID() } };
    expect(codes(await graphql(t.url, PAY, pay, serviceDesk))).toEqual(["FORBIDDEN"]);
    expect(
      codes(
        await graphql(
          t.url,
          `
            {
              overdueInvoices {
                edges {
                  cursor
                }
              }
            }
          `,
          undefined,
          serviceDesk,
        ),
      ),
    ).toEqual(["FORBIDDEN"]);
    expect(
      codes(
        await graphql(
          t.url,
          `
            {
              daysSalesOutstanding
            }
          `,
          undefined,
          serviceDesk,
        ),
      ),
    ).toEqual(["FORBIDDEN"]);
    expect(await money(orderNumber)).toEqual(before);
  }, 300_000);

  it("a partner reads only its own overdue invoices and DSO; finance sees them all", async () => {
    const all = await graphqlData<any>(
      t.url,
      `{ daysSalesOutstanding overdueInvoices(first: 500) { edges { node { invoiceNumber order { customerNumber } } } } }`,
    );
    const owners = new Set<string>(all.overdueInvoices.edges.map((e: any) => e.node.order.customerNumber));
    expect(owners.size).toBeGreaterThan(1);
    const customerNumber = [...owners][0]!;
    const partner = bearer(await roleToken(t.hub, "partner", customerNumber));
    const own = await graphqlData<any>(
      t.url,
      `{ overdueInvoices(first: 500) { edges { node { invoiceNumber order { customerNumber } } } } }`,
      undefined,
      partner,
    );
    expect(own.overdueInvoices.edges.length).toBeGreaterThan(0);
    expect(own.overdueInvoices.edges.every((e: any) => e.node.order.customerNumber === customerNumber)).toBe(true);
    const stranger = [...owners].find((c) => c !== customerNumber)!;
    const theirs = await graphql<any>(
      t.url,
      `
        query ($c: ID!) {
          customer(customerNumber: $c) {
            daysSalesOutstanding
            payments {
              paymentId
            }
          }
        }
      `,
      { c: stranger },
      partner,
    );
    expect(theirs.data?.customer ?? null).toBeNull();
  }, 300_000);
});
