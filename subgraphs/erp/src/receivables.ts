// The ERP's receivables reads: when an invoice falls due (issued + the customer's payment
// terms), the page of overdue invoices (most overdue first, keyset cursors) and days sales
// outstanding per customer or overall. Plain SQL reads; it never writes.
import { crossdockError, decodeCursor, encodeCursor, ErrorCode } from "@crossdock/schema";
import type { Invoice } from "./__generated__/prisma/client.js";
import { Prisma, type ErpPrisma } from "./db.js";

/** The window DSO measures sales over. */
export const DSO_WINDOW_DAYS = 90;
const DEFAULT_TERMS_DAYS = 30;

/** Days a customer has to pay: the number in its terms (NET30, NET45), else 30. */
export function termsDays(paymentTerms: string): number {
  const match = /\d+/.exec(paymentTerms);
  return match ? Number(match[0]) : DEFAULT_TERMS_DAYS;
}

export function dueAtOf(issuedAt: Date, paymentTerms: string): Date {
  return new Date(issuedAt.getTime() + termsDays(paymentTerms) * 86_400_000);
}

// The same rule as termsDays, in SQL, for `c` (the customer) and `i` (the invoice).
const DUE_AT_SQL = `(i."issuedAt" + make_interval(days => COALESCE(substring(c."paymentTerms" from '[0-9]+')::int, ${DEFAULT_TERMS_DAYS})))`;

export interface OverduePosition {
  dueAt: Date;
  id: number;
}

export type OverdueInvoice = Invoice & { dueAt: Date };

export function overdueCursor(invoice: OverdueInvoice): string {
  return encodeCursor([invoice.dueAt.toISOString(), invoice.id]);
}

export function decodeOverdueCursor(after: string | null | undefined): OverduePosition | null {
  if (after === null || after === undefined) return null;
  const [at, id] = decodeCursor(after, 2);
  const dueAt = typeof at === "string" ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(dueAt.getTime()) || typeof id !== "number" || !Number.isInteger(id)) {
    throw crossdockError(ErrorCode.INVALID_CURSOR, "The `after` cursor is not one this API issued");
  }
  return { dueAt, id };
}

/** Up to size + 1 overdue invoices after `after`, most overdue first; `customerNumber` confines them to one customer. */
export async function findOverdueInvoices(
  prisma: ErpPrisma,
  options: { customerNumber?: string; size: number; after: OverduePosition | null },
): Promise<OverdueInvoice[]> {
  const { after } = options;
  const rows = await prisma.$queryRaw<{ id: number; dueAt: Date }[]>`
    SELECT i."id", ${Prisma.raw(DUE_AT_SQL)} AS "dueAt"
    FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId" JOIN "Customer" c ON c."customerNumber" = o."customerNumber"
    WHERE i."status" = 'OPEN' AND ${Prisma.raw(DUE_AT_SQL)} < now()
      AND (${options.customerNumber ?? null}::text IS NULL OR o."customerNumber" = ${options.customerNumber ?? null}::text)
      AND (${after?.dueAt ?? null}::timestamptz IS NULL OR (${Prisma.raw(DUE_AT_SQL)}, i."id") > (${after?.dueAt ?? null}::timestamptz, ${after?.id ?? 0}::int))
    ORDER BY 2, 1
    LIMIT ${options.size + 1}`;
  const invoices = await prisma.invoice.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
  const byId = new Map(invoices.map((invoice) => [invoice.id, invoice]));
  return rows.flatMap((row) => {
    const invoice = byId.get(row.id);
    return invoice ? [{ ...invoice, dueAt: new Date(row.dueAt) }] : [];
  });
}

/**
 * DSO per customer (`customerNumbers`), or over all customers when null (keyed ""): open
 * receivables ÷ sales invoiced in the last 90 days × 90, one decimal; null without such sales.
 */
export async function daysSalesOutstanding(prisma: ErpPrisma, customerNumbers: readonly string[] | null): Promise<Map<string, number | null>> {
  const rows = await prisma.$queryRaw<{ customerNumber: string; receivables: string; sales: string }[]>`
    SELECT CASE WHEN ${customerNumbers === null} THEN '' ELSE o."customerNumber" END AS "customerNumber",
      COALESCE(SUM(i."amount" - i."paidAmount") FILTER (WHERE i."status" = 'OPEN'), 0)::text AS "receivables",
      COALESCE(SUM(i."amount") FILTER (WHERE i."status" <> 'VOID' AND i."issuedAt" >= now() - make_interval(days => ${DSO_WINDOW_DAYS})), 0)::text AS "sales"
    FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId"
    WHERE ${customerNumbers === null} OR o."customerNumber" = ANY(${[...(customerNumbers ?? [])]}::text[])
    GROUP BY 1`;
  const result = new Map<string, number | null>();
  for (const key of customerNumbers ?? [""]) result.set(key, null);
  for (const row of rows) {
    const sales = Number(row.sales);
    result.set(row.customerNumber, sales > 0 ? Math.round((Number(row.receivables) / sales) * DSO_WINDOW_DAYS * 10) / 10 : null);
  }
  return result;
}
