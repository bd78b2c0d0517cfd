// Per-request DataLoaders for everything the ERP resolves by key or relation: N keys in one
// request cost one SQL statement per loader, never N. Loaders are created fresh for every
// request (createErpLoaders in the context) and must never be shared between requests.
import { DataLoader, groupLoader, uniqueLoader } from "@crossdock/platform";
import type { CreditMemo, Customer, CustomerPrice, Invoice, Payment, Product, SalesOrder, SalesOrderLine } from "./__generated__/prisma/client.js";
import type { ErpPrisma } from "./db.js";
import { findOrderPagesForCustomers, type OrderPosition } from "./orderPages.js";
import { daysSalesOutstanding } from "./receivables.js";

/** The most payments Customer.payments returns. */
export const MAX_PAYMENTS_PAGE = 100;

export interface CustomerOrdersPageKey {
  customerNumber: string;
  size: number;
  after: OrderPosition | null;
}

export interface ErpLoaders {
  customerByNumber: DataLoader<string, Customer | null>;
  productBySku: DataLoader<string, Product | null>;
  orderByNumber: DataLoader<string, SalesOrder | null>;
  orderById: DataLoader<number, SalesOrder | null>;
  /** The invoices each payment settled, in the order it settled them. */
  invoicesByPaymentId: DataLoader<number, Invoice[]>;
  /** The newest MAX_PAYMENTS_PAGE payments per customer, newest first. */
  paymentsOfCustomer: DataLoader<string, Payment[]>;
  daysSalesOutstanding: DataLoader<string, number | null>;
  linesByOrderId: DataLoader<number, SalesOrderLine[]>;
  invoiceByOrderId: DataLoader<number, Invoice | null>;
  creditMemosByOrderNumber: DataLoader<string, CreditMemo[]>;
  /** Keyed by `customerPriceKey(customerNumber, sku)`. */
  customerPrice: DataLoader<string, CustomerPrice | null>;
  /** Up to size + 1 orders per customer, newest first. */
  ordersOfCustomer: DataLoader<CustomerOrdersPageKey, SalesOrder[], string>;
}

const PRICE_KEY_SEPARATOR = "\u0000";

export function customerPriceKey(customerNumber: string, sku: string): string {
  return `${customerNumber}${PRICE_KEY_SEPARATOR}${sku}`;
}

function pageGroupKey(key: CustomerOrdersPageKey): string {
  return `${key.size}|${key.after ? `${key.after.placedAt.toISOString()}|${key.after.id}` : ""}`;
}

export function createErpLoaders(prisma: ErpPrisma): ErpLoaders {
  return {
    customerByNumber: uniqueLoader(
      (numbers: readonly string[]) => prisma.customer.findMany({ where: { customerNumber: { in: [...numbers] } } }),
      (customer) => customer.customerNumber,
    ),
    productBySku: uniqueLoader(
      (skus: readonly string[]) => prisma.product.findMany({ where: { sku: { in: [...skus] } } }),
      (product) => product.sku,
    ),
    orderByNumber: uniqueLoader(
      (numbers: readonly string[]) => prisma.salesOrder.findMany({ where: { orderNumber: { in: [...numbers] } } }),
      (order) => order.orderNumber,
    ),
    orderById: uniqueLoader(
      (ids: readonly number[]) => prisma.salesOrder.findMany({ where: { id: { in: [...ids] } } }),
      (order) => order.id,
    ),
    invoicesByPaymentId: new DataLoader<number, Invoice[]>(async (ids) => {
      const applications = await prisma.invoiceApplication.findMany({
        where: { paymentId: { in: [...ids] } },
        orderBy: { id: "asc" },
        include: { invoice: true },
      });
      return ids.map((id) => applications.filter((a) => a.paymentId === id).map((a) => a.invoice));
    }),
    paymentsOfCustomer: new DataLoader<string, Payment[]>(async (numbers) => {
      const rows = await prisma.$queryRaw<{ id: number }[]>`
        SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "customerNumber" ORDER BY "receivedAt" DESC, "id" DESC) AS n
          FROM "Payment" WHERE "customerNumber" = ANY(${[...numbers]}::text[])) p WHERE n <= ${MAX_PAYMENTS_PAGE}`;
      const payments = await prisma.payment.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: [{ receivedAt: "desc" }, { id: "desc" }] });
      return numbers.map((number) => payments.filter((p) => p.customerNumber === number));
    }),
    daysSalesOutstanding: new DataLoader<string, number | null>(async (numbers) => {
      const dso = await daysSalesOutstanding(prisma, numbers);
      return numbers.map((number) => dso.get(number) ?? null);
    }),
    linesByOrderId: groupLoader(
      (ids: readonly number[]) =>
        prisma.salesOrderLine.findMany({ where: { orderId: { in: [...ids] } }, orderBy: [{ orderId: "asc" }, { lineNumber: "asc" }] }),
      (line) => line.orderId,
    ),
    invoiceByOrderId: uniqueLoader(
      (ids: readonly number[]) => prisma.invoice.findMany({ where: { orderId: { in: [...ids] } } }),
      (invoice) => invoice.orderId,
    ),
    creditMemosByOrderNumber: groupLoader(
      (numbers: readonly string[]) => prisma.creditMemo.findMany({ where: { orderNumber: { in: [...numbers] } }, orderBy: { id: "asc" } }),
      (memo) => memo.orderNumber ?? "",
    ),
    customerPrice: uniqueLoader(
      (keys: readonly string[]) => {
        const pairs = keys.map((key) => {
          const [customerNumber = "", sku = ""] = key.split(PRICE_KEY_SEPARATOR);
          return { customerNumber, sku };
        });
        return prisma.customerPrice.findMany({ where: { OR: pairs } });
      },
      (price) => customerPriceKey(price.customerNumber, price.sku),
    ),
    ordersOfCustomer: new DataLoader<CustomerOrdersPageKey, SalesOrder[], string>(
      async (keys) => {
        // Requests in one batch usually share page arguments; each distinct (size, after) is one statement.
        const groups = new Map<string, CustomerOrdersPageKey[]>();
        for (const key of keys) {
          const group = groups.get(pageGroupKey(key)) ?? [];
          group.push(key);
          groups.set(pageGroupKey(key), group);
        }
        const results = new Map<string, SalesOrder[]>();
        for (const group of groups.values()) {
          const { size, after } = group[0]!;
          const rows = await findOrderPagesForCustomers(prisma, { customerNumbers: [...new Set(group.map((k) => k.customerNumber))], size, after });
          for (const row of rows) {
            const cacheKey = `${pageGroupKey(group[0]!)}|${row.customerNumber}`;
            const list = results.get(cacheKey) ?? [];
            list.push(row);
            results.set(cacheKey, list);
          }
        }
        return keys.map((key) => results.get(`${pageGroupKey(key)}|${key.customerNumber}`) ?? []);
      },
      { cacheKeyFn: (key) => `${pageGroupKey(key)}|${key.customerNumber}` },
    ),
  };
}
