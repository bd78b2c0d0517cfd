// Pages of sales orders, newest first (placedAt, then id, both descending), with opaque
// keyset cursors. Shared by Query.orders and the batched Customer.orders loader so a cursor
// from one means the same in the other. It never writes.
import { crossdockError, decodeCursor, encodeCursor, ErrorCode } from "@crossdock/schema";
import { Prisma, type ErpPrisma } from "./db.js";
import type { OrderStatus, SalesOrder } from "./__generated__/prisma/client.js";

export interface OrderPosition {
  placedAt: Date;
  id: number;
}

export function orderCursor(order: Pick<SalesOrder, "placedAt" | "id">): string {
  return encodeCursor([order.placedAt.toISOString(), order.id]);
}

export function decodeOrderCursor(after: string | null | undefined): OrderPosition | null {
  if (after === null || after === undefined) return null;
  const [at, id] = decodeCursor(after, 2);
  const placedAt = typeof at === "string" ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(placedAt.getTime()) || typeof id !== "number" || !Number.isInteger(id)) {
    throw crossdockError(ErrorCode.INVALID_CURSOR, "The `after` cursor is not one this API issued");
  }
  return { placedAt, id };
}

export async function findOrderPage(
  prisma: ErpPrisma,
  options: { customerNumber?: string | null; status?: OrderStatus | null; size: number; after: OrderPosition | null },
): Promise<SalesOrder[]> {
  const { after } = options;
  return prisma.salesOrder.findMany({
    where: {
      ...(options.customerNumber != null ? { customerNumber: options.customerNumber } : {}),
      ...(options.status != null ? { status: options.status } : {}),
      ...(after ? { OR: [{ placedAt: { lt: after.placedAt } }, { placedAt: after.placedAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ placedAt: "desc" }, { id: "desc" }],
    take: options.size + 1,
  });
}

const ORDER_COLUMNS = Prisma.raw(
  [
    "id",
    "orderNumber",
    "customerNumber",
    "status",
    "warehouseCode",
    "total",
    "currency",
    "placedAt",
    "billingHold",
    "channel",
    "externalReference",
    "idempotencyKey",
    "requestedBy",
    "cancelReason",
    "updatedAt",
  ]
    .map((column) => `"${column}"`)
    .join(", "),
);

/**
 * The first `size + 1` orders of each customer after the same position, in ONE statement
 * (a window per customer), so resolving `orders` on many customers never costs a query each.
 */
export async function findOrderPagesForCustomers(
  prisma: ErpPrisma,
  options: { customerNumbers: readonly string[]; size: number; after: OrderPosition | null },
): Promise<SalesOrder[]> {
  const { after } = options;
  const afterFilter = after ? Prisma.sql`AND ("placedAt", "id") < (${after.placedAt}::timestamptz, ${after.id}::int)` : Prisma.empty;
  const rows = await prisma.$queryRaw<SalesOrder[]>`
    SELECT ${ORDER_COLUMNS} FROM (
      SELECT ${ORDER_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY "customerNumber" ORDER BY "placedAt" DESC, "id" DESC) AS "pageRank"
      FROM "SalesOrder"
      WHERE "customerNumber" IN (${Prisma.join(options.customerNumbers)}) ${afterFilter}
    ) AS "ranked"
    WHERE "pageRank" <= ${options.size + 1}
    ORDER BY "customerNumber", "pageRank"`;
  // Raw rows carry numerics as Decimal already; enums and dates arrive as text on some drivers.
  return rows.map((row) => ({ ...row, placedAt: new Date(row.placedAt), updatedAt: new Date(row.updatedAt) }));
}
