// Issues the one invoice an order gets, for its full total, numbered like the seeded ones
// (INV-<order digits>). Called inside the caller's transaction; never issues a second one.
import type { ErpTransaction } from "./transaction.js";

export async function issueInvoice(tx: ErpTransaction, orderId: number, orderNumber: string): Promise<string> {
  const existing = await tx.invoice.findUnique({ where: { orderId }, select: { invoiceNumber: true } });
  if (existing) return existing.invoiceNumber;
  const order = await tx.salesOrder.findUniqueOrThrow({ where: { id: orderId }, select: { total: true } });
  const invoiceNumber = `INV-${orderNumber.replace(/^SO-/, "")}`;
  await tx.invoice.create({ data: { invoiceNumber, orderId, amount: order.total, status: "OPEN" }, select: { id: true } });
  return invoiceNumber;
}
