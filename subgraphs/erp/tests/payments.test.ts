// The cash end of order-to-cash over real HTTP: recordPayment (partial, several invoices,
// overpayment as credit, PAID and CLOSED, credit hold lifted), credit memos settling invoices,
// overdue invoices and DSO, and partners confined to their own receivables.
import { describe, expect, it } from "vitest";
import { Decimal } from "@crossdock/schema";
import { principalHeaders } from "@crossdock/test";
import { errorCodes, graphqlClient } from "./helpers.js";
import {
  AMEND,
  ORDER,
  PAY,
  balance,
  customer,
  erpQuery,
  erpUrl,
  footprint,
  gql,
  invoiced,
  key,
  other,
  partner,
  released,
  skuA,
  useCashErp,
} from "./cashHarness.js";

useCashErp();

describe("recordPayment", () => {
  it("pays part of an invoice, then the rest: PAID, the order CLOSED, the open balance down by what was paid", async () => {
    const inv = await invoiced("2");
    const before = await balance();
    const half = new Decimal(inv.amount).div(2).toDecimalPlaces(2, Decimal.ROUND_DOWN);
    const first = (
      await gql(PAY, {
        input: { customerNumber: customer, amount: half.toFixed(2), reference: "BANK-1", idempotencyKey: key(), invoiceNumbers: [inv.invoiceNumber] },
      })
    ).data!.recordPayment;
    expect(first).toMatchObject({
      paymentId: expect.stringMatching(/^PAY-\d{6}$/),
      unapplied: "0.00",
      appliedTo: [{ invoiceNumber: inv.invoiceNumber, status: "OPEN" }],
    });
    expect((await gql(ORDER, { n: inv.orderNumber })).data!.order).toMatchObject({ status: "INVOICED", paidAmount: half.toFixed(2) });
    const rest = new Decimal(inv.amount).minus(half);
    const second = (
      await gql(PAY, {
        input: { customerNumber: customer, amount: rest.toFixed(2), reference: "BANK-2", idempotencyKey: key(), invoiceNumbers: [inv.invoiceNumber] },
      })
    ).data!.recordPayment;
    expect(second.appliedTo).toEqual([{ invoiceNumber: inv.invoiceNumber, status: "PAID", paidAmount: inv.amount, openAmount: "0.00" }]);
    const closed = (await gql(ORDER, { n: inv.orderNumber })).data!.order;
    expect(closed).toMatchObject({ status: "CLOSED", paidAmount: inv.amount, invoice: { status: "PAID", order: { orderNumber: inv.orderNumber } } });
    expect(before.minus(await balance()).eq(inv.amount)).toBe(true);
  });

  it("settles several invoices oldest first and keeps the overpayment as credit; a retry changes nothing", async () => {
    const a = await invoiced("1", other);
    const b = await invoiced("1", other);
    // Settle every other open invoice of the customer first, so only a and b are open.
    const open = await erpQuery<{ invoiceNumber: string }>(
      `SELECT i."invoiceNumber" FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId" WHERE o."customerNumber" = $1 AND i."status" = 'OPEN' AND i."invoiceNumber" NOT IN ($2, $3)`,
      [other, a.invoiceNumber, b.invoiceNumber],
    );
    await erpQuery(`UPDATE "Invoice" SET "status" = 'PAID', "paidAmount" = "amount" WHERE "invoiceNumber" = ANY($1::text[])`, [
      open.map((i) => i.invoiceNumber),
    ]);
    await erpQuery(`UPDATE "Invoice" SET "issuedAt" = now() - interval '1 day' WHERE "invoiceNumber" = $1`, [b.invoiceNumber]);
    const before = await balance(other);
    const amount = new Decimal(a.amount).plus(b.amount).plus("10.00");
    const input = { customerNumber: other, amount: amount.toFixed(2), reference: "CHQ-7", idempotencyKey: key() };
    const payment = (await gql(PAY, { input })).data!.recordPayment;
    expect(payment.appliedTo.map((i: any) => [i.invoiceNumber, i.status])).toEqual([
      [b.invoiceNumber, "PAID"],
      [a.invoiceNumber, "PAID"],
    ]);
    expect(payment.unapplied).toBe("10.00");
    expect(before.minus(await balance(other)).eq(amount)).toBe(true);
    const snapshot = await footprint();
    expect((await gql(PAY, { input })).data!.recordPayment.paymentId).toBe(payment.paymentId);
    expect(await footprint()).toEqual(snapshot);
    const listed = await gql(`query($c: ID!) { customer(customerNumber: $c) { payments(first: 1) { paymentId unapplied } } }`, { c: other });
    expect(listed.data!.customer.payments).toEqual([{ paymentId: payment.paymentId, unapplied: "10.00" }]);
  });

  it("lifts the credit hold once the balance falls under the limit", async () => {
    await invoiced("1", other);
    const owed = await balance(other);
    await erpQuery(`UPDATE "Customer" SET "status" = 'CREDIT_HOLD', "creditLimit" = $2 WHERE "customerNumber" = $1`, [other, owed.minus(1).toFixed(2)]);
    const payment = (await gql(PAY, { input: { customerNumber: other, amount: "5.00", reference: "WIRE", idempotencyKey: key() } })).data!.recordPayment;
    expect(payment.customer.status).toBe("ACTIVE");
    await gql(`mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "99999999") { customerNumber } }`, { c: other });
  });

  it("refuses unknown keys, a paid invoice, another customer's invoice and bad amounts, and writes nothing", async () => {
    const paid = await invoiced("1");
    await gql(PAY, {
      input: { customerNumber: customer, amount: paid.amount, reference: "FULL", idempotencyKey: key(), invoiceNumbers: [paid.invoiceNumber] },
    });
    const theirs = await invoiced("1", other);
    const pay = (input: Record<string, unknown>) =>
      gql(PAY, { input: { customerNumber: customer, amount: "1.00", reference: "R", idempotencyKey: key(), ...input } });
    const before = await footprint();
    expect(errorCodes(await pay({ customerNumber: "C-NOPE" }))).toEqual(["UNKNOWN_CUSTOMER"]);
    expect(errorCodes(await pay({ invoiceNumbers: ["INV-NOPE"] }))).toEqual(["UNKNOWN_INVOICE"]);
    expect(errorCodes(await pay({ invoiceNumbers: [theirs.invoiceNumber] }))).toEqual(["UNKNOWN_INVOICE"]);
    expect(errorCodes(await pay({ invoiceNumbers: [paid.invoiceNumber] }))).toEqual(["INVALID_STATE"]);
    expect(errorCodes(await pay({ amount: "0" }))).toEqual(["INVALID_DECIMAL"]);
    expect(errorCodes(await pay({ amount: "1.001" }))).toEqual(["INVALID_DECIMAL"]);
    expect(errorCodes(await pay({ reference: "" }))).toEqual(["BAD_USER_INPUT"]);
    expect(errorCodes(await pay({ invoiceNumbers: [theirs.invoiceNumber, theirs.invoiceNumber] }))).toEqual(["BAD_USER_INPUT"]);
    expect(await footprint()).toEqual(before);
  });
});

describe("credit memos and receivables", () => {
  it("a credit memo settles the order's open invoice and closes a fully credited order", async () => {
    const inv = await invoiced("2");
    const memo = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { amount } }`;
    await gql(memo, { input: { orderNumber: inv.orderNumber, reason: "Damaged", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() } });
    const half = (await gql(ORDER, { n: inv.orderNumber })).data!.order;
    expect(half.status).toBe("INVOICED");
    expect(new Decimal(half.invoice.paidAmount).gt(0)).toBe(true);
    await gql(memo, { input: { orderNumber: inv.orderNumber, reason: "Damaged", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() } });
    expect((await gql(ORDER, { n: inv.orderNumber })).data!.order).toMatchObject({ status: "CLOSED", invoice: { status: "PAID", openAmount: "0.00" } });
  });

  it("a payment and a credit memo on one invoice at once both land, and the invoice is never settled beyond its amount", async () => {
    const inv = await invoiced("2");
    const [paid, credited] = await Promise.all([
      gql(PAY, { input: { customerNumber: customer, amount: inv.amount, reference: "RACE", idempotencyKey: key(), invoiceNumbers: [inv.invoiceNumber] } }),
      gql(`mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { amount } }`, {
        input: { orderNumber: inv.orderNumber, reason: "Damaged", lines: [{ sku: skuA, quantity: "1" }], idempotencyKey: key() },
      }),
    ]);
    expect([paid.errors, credited.errors]).toEqual([undefined, undefined]);
    const [settled] = await erpQuery<{ applied: string; paidAmount: string; status: string }>(
      `SELECT (SELECT sum(a."amount") FROM "InvoiceApplication" a WHERE a."invoiceId" = i."id")::text AS applied, i."paidAmount"::text AS "paidAmount", i."status"::text AS status
       FROM "Invoice" i WHERE i."invoiceNumber" = $1`,
      [inv.invoiceNumber],
    );
    expect(settled!.status).toBe("PAID");
    expect(new Decimal(settled!.applied).eq(inv.amount) && new Decimal(settled!.paidAmount).eq(inv.amount)).toBe(true);
  });

  it("lists overdue invoices most overdue first, pages them, and computes days sales outstanding", async () => {
    const late = await invoiced("1");
    await erpQuery(`UPDATE "Invoice" SET "issuedAt" = now() - interval '200 days' WHERE "invoiceNumber" = $1`, [late.invoiceNumber]);
    const OVERDUE = `query($after: String) { overdueInvoices(first: 2, after: $after) { edges { cursor node { invoiceNumber dueAt openAmount status } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await gql(OVERDUE)).data!.overdueInvoices;
    expect(first.edges.length).toBe(2);
    const dues = first.edges.map((e: any) => Date.parse(e.node.dueAt));
    expect(dues[0]).toBeLessThanOrEqual(dues[1]);
    expect(first.edges.every((e: any) => e.node.status === "OPEN" && Date.parse(e.node.dueAt) < Date.now())).toBe(true);
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await gql(OVERDUE, { after })).data!.overdueInvoices;
      all.push(...page.edges.map((e: any) => e.node.invoiceNumber));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(all).toContain(late.invoiceNumber);
    expect(new Set(all).size).toBe(all.length);
    const dso = await gql(`query($c: ID!) { daysSalesOutstanding customer(customerNumber: $c) { daysSalesOutstanding } }`, { c: customer });
    expect(dso.data!.daysSalesOutstanding).toBeGreaterThan(0);
    expect(dso.data!.customer.daysSalesOutstanding).toBeGreaterThanOrEqual(0);
    expect(errorCodes(await gql(OVERDUE, { after: "not-a-cursor" }))).toEqual(["INVALID_CURSOR"]);
  });

  it("a partner sees only its own overdue invoices, payments and DSO, and cannot pay or amend for another customer", async () => {
    const theirs = await invoiced("1", other);
    await erpQuery(`UPDATE "Invoice" SET "issuedAt" = now() - interval '200 days' WHERE "invoiceNumber" = $1`, [theirs.invoiceNumber]);
    const asPartner = graphqlClient(erpUrl(), principalHeaders(partner));
    const listed = await asPartner(`{ overdueInvoices(first: 500) { edges { node { invoiceNumber order { customerNumber } } } } }`);
    const customers = new Set(listed.data!.overdueInvoices.edges.map((e: any) => e.node.order.customerNumber));
    expect([...customers].every((c) => c === customer)).toBe(true);
    const seen = await asPartner(`query($c: ID!) { customer(customerNumber: $c) { payments { paymentId } daysSalesOutstanding } }`, { c: other });
    expect(seen.data!.customer).toBeNull();
    const theirOrder = await released([{ sku: skuA, quantity: "1" }], other);
    const before = await footprint();
    expect(errorCodes(await asPartner(PAY, { input: { customerNumber: other, amount: "1.00", reference: "X", idempotencyKey: key() } }))).toEqual([
      "FORBIDDEN",
    ]);
    expect(
      errorCodes(
        await asPartner(AMEND, { input: { orderNumber: theirOrder.orderNumber, idempotencyKey: key(), reason: "x", lines: [{ sku: skuA, quantity: "2" }] } }),
      ),
    ).toEqual(["FORBIDDEN"]);
    expect(await footprint()).toEqual(before);
  });
});
