// Query root of the WMS: look-ups by business key go through the request's loaders; the
// stock ledger pages by movement id with opaque cursors. It never writes. The WMS does not know
// whose order a shipment, fulfilment or return is: partners reach them only through their own
// orders (Order.fulfillments), and these look-ups by key answer them null.
import { partnerCustomer, type Principal } from "@crossdock/platform";
import { crossdockError, decodeCursor, encodeCursor, ErrorCode, pageSize } from "@crossdock/schema";
import type { WmsContext } from "../context.js";

interface StockMovementsArgs {
  sku?: string | null;
  warehouseCode?: string | null;
  first?: number | null;
  after?: string | null;
}

function movementIdFromCursor(cursor: string): bigint {
  const [id] = decodeCursor(cursor, 1);
  if (typeof id !== "string" || !/^\d{1,19}$/.test(id)) throw crossdockError(ErrorCode.INVALID_CURSOR, "The `after` cursor is not one this API issued");
  return BigInt(id);
}

const isPartner = (principal: Principal) => partnerCustomer(principal) !== undefined;

export const queryResolvers = {
  Query: {
    warehouse: (_: unknown, args: { code: string }, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(args.code),
    warehouses: (_: unknown, __: unknown, ctx: WmsContext) => ctx.prisma.warehouse.findMany({ orderBy: { code: "asc" } }),
    shipment: (_: unknown, args: { shipmentId: string }, ctx: WmsContext) => (isPartner(ctx.principal) ? null : ctx.loaders.shipmentById.load(args.shipmentId)),
    fulfillment: (_: unknown, args: { fulfillmentId: string }, ctx: WmsContext) =>
      isPartner(ctx.principal) ? null : ctx.loaders.fulfillmentById.load(args.fulfillmentId),
    receipt: (_: unknown, args: { receiptNumber: string }, ctx: WmsContext) =>
      isPartner(ctx.principal) ? null : ctx.prisma.receipt.findUnique({ where: { receiptNumber: args.receiptNumber } }),
    async stockMovements(_: unknown, args: StockMovementsArgs, ctx: WmsContext) {
      const size = pageSize(args.first);
      // Newest first: the cursor is the id of the last movement seen, so new movements never shift a page.
      const beforeId = args.after ? movementIdFromCursor(args.after) : null;
      const rows =
        size === 0
          ? []
          : await ctx.prisma.stockMovement.findMany({
              where: {
                ...(args.sku ? { sku: args.sku } : {}),
                ...(args.warehouseCode ? { warehouseCode: args.warehouseCode } : {}),
                ...(beforeId !== null ? { id: { lt: beforeId } } : {}),
              },
              orderBy: { id: "desc" },
              take: size + 1,
            });
      const page = rows.slice(0, size);
      const edges = page.map((node) => ({ cursor: encodeCursor([node.id.toString()]), node }));
      return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
};
