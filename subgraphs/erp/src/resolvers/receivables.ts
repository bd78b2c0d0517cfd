// Payment and Invoice: money received and what it settled, and an invoice's settled and open
// amounts and due date. Relations go through the request's loaders; a partner only ever reaches
// these through its own customer's orders, payments and invoices.
import { moneyToString, toDecimal, Decimal } from "@crossdock/schema";
import type { Invoice as InvoiceRow, Payment as PaymentRow } from "../__generated__/prisma/client.js";
import type { ErpContext } from "../context.js";
import { dueAtOf } from "../receivables.js";
import { moneyFields } from "./money.js";

export const Payment = {
  ...moneyFields("amount", "unapplied"),
  customer: (payment: PaymentRow, _: unknown, ctx: ErpContext) => ctx.loaders.customerByNumber.load(payment.customerNumber),
  appliedTo: (payment: PaymentRow, _: unknown, ctx: ErpContext) => ctx.loaders.invoicesByPaymentId.load(payment.id),
};

async function customerOfInvoice(invoice: InvoiceRow, ctx: ErpContext) {
  const order = await ctx.loaders.orderById.load(invoice.orderId);
  return order ? ctx.loaders.customerByNumber.load(order.customerNumber) : null;
}

export const Invoice = {
  ...moneyFields("amount", "paidAmount"),
  openAmount: (invoice: InvoiceRow) => moneyToString(Decimal.max(toDecimal(invoice.amount).minus(toDecimal(invoice.paidAmount)), 0)),
  async dueAt(invoice: InvoiceRow & { dueAt?: Date }, _: unknown, ctx: ErpContext) {
    if (invoice.dueAt) return invoice.dueAt;
    const customer = await customerOfInvoice(invoice, ctx);
    return dueAtOf(invoice.issuedAt, customer?.paymentTerms ?? "");
  },
  order: (invoice: InvoiceRow, _: unknown, ctx: ErpContext) => ctx.loaders.orderById.load(invoice.orderId),
};
