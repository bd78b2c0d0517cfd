// Settling an invoice, inside the caller's transaction: one application (from a payment or a
// credit memo), the invoice's settled amount, PAID once nothing is owed, and the order CLOSED
// when it was INVOICED and is now paid. Never settles more than the invoice's open amount.
import { Decimal, toDecimal } from "@crossdock/schema";
import type { ErpTransaction } from "./transaction.js";

/** An invoice as the settling writes read it under its row lock. */
export interface LockedInvoice {
  id: number;
  invoiceNumber: string;
  orderId: number;
  orderNumber: string;
  customerNumber: string;
  amount: string;
  paidAmount: string;
  status: string;
}

export interface Settlement {
  invoiceNumber: string;
  applied: Decimal;
  paid: boolean;
  /** The order this settlement closed, if any. */
  closedOrder: string | null;
}

/** What is still owed on an invoice (never below zero). */
export function openAmountOf(invoice: Pick<LockedInvoice, "amount" | "paidAmount">): Decimal {
  return Decimal.max(toDecimal(invoice.amount).minus(toDecimal(invoice.paidAmount)), 0);
}

// $1 invoice id, $2 the amount applied, $3 payment id, $4 credit memo id. The application, the
// invoice and (once paid) the order in one statement.
const SETTLE_SQL = `
WITH application AS (
  INSERT INTO "InvoiceApplication" ("invoiceId", "paymentId", "creditMemoId", "amount", "appliedAt")
  VALUES ($1::int, $3::int, $4::int, $2::numeric, now())
), invoice AS (
  UPDATE "Invoice" SET "paidAmount" = "paidAmount" + $2::numeric,
    "status" = CASE WHEN "paidAmount" + $2::numeric >= "amount" THEN 'PAID'::"InvoiceStatus" ELSE "status" END
  WHERE "id" = $1::int
  RETURNING "orderId", "status"::text AS "status"
), closed AS (
  UPDATE "SalesOrder" o SET "status" = 'CLOSED', "updatedAt" = now()
  FROM invoice i WHERE o."id" = i."orderId" AND i."status" = 'PAID' AND o."status" = 'INVOICED'
  RETURNING o."orderNumber"
)
SELECT (SELECT "status" FROM invoice) AS "status", (SELECT "orderNumber" FROM closed) AS "closedOrder"`;

/** Applies up to `amount` to the invoice; returns what it took (zero when nothing was owed). */
export async function settleInvoice(
  tx: ErpTransaction,
  options: { invoice: LockedInvoice; amount: Decimal; paymentId?: number; creditMemoId?: number },
): Promise<Settlement> {
  const { invoice } = options;
  const applied = Decimal.min(options.amount, openAmountOf(invoice));
  if (applied.lte(0)) return { invoiceNumber: invoice.invoiceNumber, applied: new Decimal(0), paid: invoice.status === "PAID", closedOrder: null };
  const [row] = await tx.$queryRawUnsafe<{ status: string; closedOrder: string | null }[]>(
    SETTLE_SQL,
    invoice.id,
    applied.toFixed(2),
    options.paymentId ?? null,
    options.creditMemoId ?? null,
  );
  return { invoiceNumber: invoice.invoiceNumber, applied, paid: row?.status === "PAID", closedOrder: row?.closedOrder ?? null };
}

/** Invoice columns with their order's number and customer, for `FOR UPDATE OF i` reads. */
export const LOCKED_INVOICE_COLUMNS = `i."id", i."invoiceNumber", i."orderId", o."orderNumber", o."customerNumber",
  i."amount"::text AS "amount", i."paidAmount"::text AS "paidAmount", i."status"::text AS "status"`;
