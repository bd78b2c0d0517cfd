// The service desk's search end to end (PGlite, and Postgres with logical replication when
// available): orders found by PO reference and by a shipment's tracking number, customers and
// contacts by name, email and phone, best first and paged; a partner finds only its own customer's
// data; refused callers and bad input get typed errors; searching writes nothing; a new order is
// found once change-data-capture has applied it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "@crossdock/gateway";
import { ROLE_SCOPES, type Principal } from "@crossdock/platform";
import { callAs, errorSummary, partner, startTestPrincipalGateway, user } from "./authorizationSupport.js";
import { BACKENDS, backendAvailable, startTestHub, type TestHub } from "./hubHarness.js";

const SEARCH = `query($text: String!, $first: Int, $after: String) {
  search(text: $text, first: $first, after: $after) {
    edges { cursor node { matchedOn score hit { __typename
      ... on Order { orderNumber customerNumber }
      ... on Shipment { shipmentId trackingNumber order { orderNumber } }
      ... on Customer { customerNumber name }
      ... on Contact { contactId name email phone } } } }
    pageInfo { hasNextPage endCursor } } }`;
/** The same without contact fields: for callers without pii:read, which may not select them. */
const SEARCH_NO_PII = SEARCH.replace("... on Contact { contactId name email phone }", "");

interface Sample {
  customerNumber: string;
  name: string;
  orderNumber: string;
  externalReference: string;
  shipmentId: string;
  trackingNumber: string;
  contact: { contactId: string; name: string; email: string; phone: string };
}

const desk = user("desk", ROLE_SCOPES.serviceDesk);
const analyst = user("analyst", ROLE_SCOPES.analyst);
const warehouse = user("warehouse", ROLE_SCOPES.warehouse);

async function sampleCustomers(call: ReturnType<typeof callAs>): Promise<Sample[]> {
  const response = await call(`{
    orders(status: INVOICED, first: 100) { edges { node { orderNumber externalReference
      customer { customerNumber name account { contacts { contactId name email phone } } }
      fulfillments { shipments { shipmentId trackingNumber } } } } } }`);
  expect(response.errors).toBeUndefined();
  const byCustomer = new Map<string, Sample>();
  for (const { node } of response.data.orders.edges) {
    const shipment = node.fulfillments.flatMap((f: any) => f.shipments)[0];
    const contact = node.customer.account?.contacts.find((c: any) => c.email && c.phone);
    if (!node.externalReference || !shipment || !contact || byCustomer.has(node.customer.customerNumber)) continue;
    byCustomer.set(node.customer.customerNumber, {
      customerNumber: node.customer.customerNumber,
      name: node.customer.name,
      orderNumber: node.orderNumber,
      externalReference: node.externalReference,
      shipmentId: shipment.shipmentId,
      trackingNumber: shipment.trackingNumber,
      contact,
    });
  }
  return [...byCustomer.values()];
}

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`search (${backend})`, () => {
    let t: TestHub;
    let gateway: RunningGateway;
    let a: Sample;
    let b: Sample;
    let partnerA: Principal;

    const as = (principal: Principal | undefined) => callAs(gateway.url, principal);
    const search = async (principal: Principal, text: string, more: Record<string, unknown> = {}) => {
      const response = await as(principal)(SEARCH, { text, ...more });
      expect(response.errors).toBeUndefined();
      return response.data.search as { edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    };
    const hits = async (principal: Principal, text: string) => (await search(principal, text, { first: 100 })).edges.map((e) => e.node);

    beforeAll(async () => {
      t = await startTestHub(backend);
      gateway = await startTestPrincipalGateway(t);
      const samples = await sampleCustomers(as(desk));
      expect(samples.length).toBeGreaterThanOrEqual(2);
      [a, b] = samples as [Sample, Sample];
      partnerA = partner(a.customerNumber);
    }, 180_000);

    afterAll(async () => {
      await gateway?.stop();
      await t?.stop();
    });

    it("finds an order by its PO reference and by a shipment's tracking number, the exact match first", async () => {
      const byReference = await search(desk, b.externalReference.toLowerCase());
      expect(byReference.edges[0]!.node).toEqual({
        matchedOn: "externalReference",
        score: 3,
        hit: { __typename: "Order", orderNumber: b.orderNumber, customerNumber: b.customerNumber },
      });
      const byTracking = await search(desk, ` ${b.trackingNumber} `);
      expect(byTracking.edges[0]!.node).toEqual({
        matchedOn: "trackingNumber",
        score: 3,
        hit: { __typename: "Shipment", shipmentId: b.shipmentId, trackingNumber: b.trackingNumber, order: { orderNumber: b.orderNumber } },
      });
      const byNumber = await search(desk, b.orderNumber);
      expect(byNumber.edges[0]!.node).toMatchObject({ matchedOn: "orderNumber", score: 3, hit: { orderNumber: b.orderNumber } });
      for (const result of [byReference, byTracking, byNumber]) {
        const scores = result.edges.map((e) => e.node.score);
        expect(scores).toEqual([...scores].sort((x, y) => y - x));
      }
    });

    it("finds customers by name and number, contacts by name, email and phone (any formatting)", async () => {
      const word = b.name.split(/\s+/).find((w) => w.length >= 4) ?? b.name;
      expect(await hits(desk, word)).toContainEqual(
        expect.objectContaining({ matchedOn: "name", hit: { __typename: "Customer", customerNumber: b.customerNumber, name: b.name } }),
      );
      expect((await hits(desk, b.customerNumber))[0]).toMatchObject({ matchedOn: "customerNumber", score: 3, hit: { customerNumber: b.customerNumber } });
      const contact = { __typename: "Contact", ...b.contact };
      expect(await hits(desk, b.contact.email.toUpperCase())).toContainEqual({ matchedOn: "email", score: 3, hit: contact });
      expect(await hits(desk, b.contact.name)).toContainEqual(expect.objectContaining({ matchedOn: "name", hit: contact }));
      // The phone as someone types it: spaces instead of dashes, no country code.
      const digits = b.contact.phone.replace(/\D/g, "").slice(1);
      const typed = `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
      expect(await hits(desk, typed)).toContainEqual(expect.objectContaining({ matchedOn: "phone", hit: contact }));
    });

    it("pages with opaque cursors: the pages are the ranking, in order, with nothing twice", async () => {
      const text = "PO-";
      const all = await search(desk, text, { first: 30 });
      expect(all.edges.length).toBe(30);
      const paged: { cursor: string; node: unknown }[] = [];
      let after: string | null = null;
      for (let page = 0; page < 3; page++) {
        const next = await search(desk, text, { first: 10, after });
        expect(next.pageInfo.hasNextPage).toBe(true);
        paged.push(...next.edges);
        after = next.pageInfo.endCursor;
      }
      expect(paged).toEqual(all.edges);
      // A cursor continues only the search it came from.
      const other = await as(desk)(SEARCH, { text: "something else", after });
      expect(errorSummary(other)).toEqual([{ code: "INVALID_CURSOR", path: "search" }]);
    });

    it("a partner finds its own customer's data and nothing of another customer's", async () => {
      for (const text of [b.externalReference, b.trackingNumber, b.orderNumber, b.customerNumber, b.name, b.contact.email, b.contact.phone]) {
        const found = await hits(partnerA, text);
        const keys = found.map((h) => h.hit.orderNumber ?? h.hit.customerNumber ?? h.hit.contactId ?? h.hit.shipmentId);
        for (const key of [b.orderNumber, b.customerNumber, b.contact.contactId, b.shipmentId]) expect(keys).not.toContain(key);
        for (const { hit } of found) expect(hit.customerNumber ?? a.customerNumber).toBe(a.customerNumber);
      }
      // Its own: the order by PO reference, and by tracking number (a shipment found is given as its order).
      expect((await hits(partnerA, a.externalReference))[0]).toEqual({
        matchedOn: "externalReference",
        score: 3,
        hit: { __typename: "Order", orderNumber: a.orderNumber, customerNumber: a.customerNumber },
      });
      expect((await hits(partnerA, a.trackingNumber))[0]).toEqual({
        matchedOn: "trackingNumber",
        score: 3,
        hit: { __typename: "Order", orderNumber: a.orderNumber, customerNumber: a.customerNumber },
      });
      expect(await hits(partnerA, a.contact.email)).toContainEqual({ matchedOn: "email", score: 3, hit: { __typename: "Contact", ...a.contact } });
      // A partner without a customer finds nothing at all.
      expect(await hits({ ...partnerA, customerNumber: "" }, a.externalReference)).toEqual([]);
    });

    it("refuses callers without the scopes and bad input with typed errors; contacts need pii:read", async () => {
      const anonymous = await as(undefined)(SEARCH, { text: b.externalReference });
      expect(errorSummary(anonymous)).toEqual([{ code: "UNAUTHENTICATED", path: "search" }]);
      const refused = await as(warehouse)(SEARCH, { text: b.externalReference });
      expect(errorSummary(refused)).toEqual([{ code: "FORBIDDEN", path: "search" }]);
      expect(refused.data).toBeNull();
      // The analyst (no pii:read) finds the customer but not its contacts, even by their email.
      const byEmail = await as(analyst)(SEARCH_NO_PII, { text: b.contact.email, first: 100 });
      expect(byEmail.errors).toBeUndefined();
      expect(byEmail.data.search.edges.map((e: any) => e.node.hit.__typename)).not.toContain("Contact");
      for (const text of ["ab", "  x  ", "x".repeat(201)]) {
        expect(errorSummary(await as(desk)(SEARCH, { text }))).toEqual([{ code: "BAD_USER_INPUT", path: "search" }]);
      }
      expect(errorSummary(await as(desk)(SEARCH, { text: "acme", first: 101 }))).toEqual([{ code: "BAD_USER_INPUT", path: "search" }]);
      expect(errorSummary(await as(desk)(SEARCH, { text: "acme", after: "not-a-cursor" }))).toEqual([{ code: "INVALID_CURSOR", path: "search" }]);
    });

    it("searching writes nothing: the audit log and the applied event counts stay as they were", async () => {
      const state = `{ auditLog(first: 1) { edges { cursor } } syncStatus { sources { source eventsApplied } } }`;
      const admin = user("admin", [...ROLE_SCOPES.opsAdmin]);
      const before = await as(admin)(state);
      expect(before.errors).toBeUndefined();
      for (const principal of [desk, partnerA, analyst, warehouse]) await as(principal)(SEARCH, { text: b.externalReference });
      expect((await as(admin)(state)).data).toEqual(before.data);
    });

    it("finds a new order once change-data-capture has applied it", async () => {
      const sku = (await as(desk)(`{ products(first: 1) { edges { node { sku } } } }`)).data.products.edges[0].node.sku;
      const submitted = await as(user("writer", ["orders:write", "orders:read", "customers:read"]))(
        `mutation($input: SubmitOrderInput!) { submitOrder(input: $input) { order { orderNumber } } }`,
        { input: { idempotencyKey: randomUUID(), customerNumber: a.customerNumber, lines: [{ sku, quantity: "1" }] } },
      );
      expect(submitted.errors).toBeUndefined();
      const orderNumber = submitted.data.submitOrder.order.orderNumber as string;
      await t.hub.drainCapture();
      expect((await hits(partnerA, orderNumber))[0]).toMatchObject({ matchedOn: "orderNumber", score: 3, hit: { orderNumber } });
    });
  });
}
