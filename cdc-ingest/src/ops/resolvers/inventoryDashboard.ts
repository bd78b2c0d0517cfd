// The operations dashboard's inventory views over the read model: positions at or below their
// reorder point (lowStock) and one sku's totals across the network (networkInventory). Positions
// are not customer data: every caller with inventory:read sees them all.
import { decodeCursor, Decimal, encodeCursor, pageSize } from "@crossdock/schema";
import type { InventoryPosition, Prisma } from "../../__generated__/prisma/client.js";
import type { OpsContext } from "../context.js";

interface LowStockArgs {
  warehouseCode?: string | null;
  first?: number | null;
  after?: string | null;
}

const sum = (rows: readonly InventoryPosition[], pick: (row: InventoryPosition) => Prisma.Decimal) =>
  rows.reduce((total, row) => total.plus(pick(row).toString()), new Decimal(0)).toFixed();

export const inventoryDashboardResolvers = {
  Query: {
    // By warehouse then sku: the (lowStock, warehouseCode, sku) index serves both the filtered and the whole list.
    async lowStock(_: unknown, args: LowStockArgs, ctx: OpsContext) {
      const first = pageSize(args.first);
      const where: Prisma.InventoryPositionWhereInput = { lowStock: true, ...(args.warehouseCode ? { warehouseCode: args.warehouseCode } : {}) };
      if (args.after) {
        const [warehouseCode, sku] = decodeCursor(args.after, 2) as [string, string];
        where.OR = [{ warehouseCode: { gt: warehouseCode } }, { warehouseCode, sku: { gt: sku } }];
      }
      const rows = await ctx.services.prisma.inventoryPosition.findMany({ where, orderBy: [{ warehouseCode: "asc" }, { sku: "asc" }], take: first + 1 });
      const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor([node.warehouseCode, node.sku]), node }));
      return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    async networkInventory(_: unknown, args: { sku: string }, ctx: OpsContext) {
      const positions = await ctx.loaders.positionsBySku.load(args.sku);
      if (positions.length === 0) return null;
      return {
        product: { __typename: "Product", sku: args.sku },
        onHand: sum(positions, (p) => p.onHand),
        allocated: sum(positions, (p) => p.allocated),
        available: sum(positions, (p) => p.available),
        availableToPromise: sum(positions, (p) => p.availableToPromise),
        positions,
      };
    },
  },
};
