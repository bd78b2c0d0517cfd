// The rows the ERP's plain-SQL writes hand back with RETURNING, shaped as Prisma returns them
// (Decimal, Date, enum strings), so a write can prime the request's loaders instead of the
// response reading the rows it just wrote. Only rows written in this request: never replays.
import type { Invoice, SalesOrder } from "../__generated__/prisma/client.js";
import type { ErpLoaders } from "../loaders.js";
import { Prisma } from "../db.js";

/** Every SalesOrder column, numerics and enums as text (the drivers differ on neither then). */
export const SALES_ORDER_COLUMNS = `"id", "orderNumber", "customerNumber", "status"::text AS "status", "warehouseCode", "total"::text AS "total", "currency",
  "placedAt", "billingHold", "channel", "externalReference", "idempotencyKey", "requestedBy", "cancelReason", "updatedAt"`;

export interface SalesOrderSqlRow {
  id: number;
  orderNumber: string;
  customerNumber: string;
  status: string;
  warehouseCode: string;
  total: string;
  currency: string;
  placedAt: Date | string;
  billingHold: boolean;
  channel: string;
  externalReference: string | null;
  idempotencyKey: string | null;
  requestedBy: string | null;
  cancelReason: string | null;
  updatedAt: Date | string;
}

export interface InvoiceSqlRow {
  id: number;
  invoiceNumber: string;
  orderId: number;
  amount: string;
  status: string;
  issuedAt: Date | string;
  /** Absent on a freshly issued invoice: nothing is settled yet. */
  paidAmount?: string;
}

/** The rows a write produced, for the response to show without reading them again. */
export interface WrittenRows {
  order: SalesOrder;
  invoice?: Invoice;
}

// node-postgres and PGlite both return timestamptz as Date today; text is accepted all the same.
const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

export function toSalesOrder(row: SalesOrderSqlRow): SalesOrder {
  return {
    id: row.id,
    orderNumber: row.orderNumber,
    customerNumber: row.customerNumber,
    status: row.status as SalesOrder["status"],
    warehouseCode: row.warehouseCode,
    total: new Prisma.Decimal(row.total),
    currency: row.currency,
    placedAt: toDate(row.placedAt),
    billingHold: row.billingHold,
    channel: row.channel,
    externalReference: row.externalReference,
    idempotencyKey: row.idempotencyKey,
    requestedBy: row.requestedBy,
    cancelReason: row.cancelReason,
    updatedAt: toDate(row.updatedAt),
  };
}

export function toInvoice(row: InvoiceSqlRow): Invoice {
  return {
    id: row.id,
    invoiceNumber: row.invoiceNumber,
    orderId: row.orderId,
    amount: new Prisma.Decimal(row.amount),
    status: row.status as Invoice["status"],
    issuedAt: toDate(row.issuedAt),
    paidAmount: new Prisma.Decimal(row.paidAmount ?? "0"),
  };
}

/** Replaces whatever the loaders cached for the written order (and its invoice) with the rows the write returned. */
export function primeWrittenRows(loaders: ErpLoaders, written: WrittenRows): void {
  loaders.orderByNumber.clear(written.order.orderNumber).prime(written.order.orderNumber, written.order);
  if (written.invoice) loaders.invoiceByOrderId.clear(written.order.id).prime(written.order.id, written.invoice);
}
