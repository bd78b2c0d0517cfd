// The Warehouse entity (key: code) and its bins. References from other subgraphs resolve
// through the warehouseByCode loader, so 100 representations are one statement.
import type { Warehouse } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

/** A warehouse row, or just its key where the parent knows only the code (a stock level). */
export type WarehouseParent = Warehouse | { code: string };

async function rowOf(warehouse: WarehouseParent, ctx: WmsContext): Promise<Warehouse> {
  if ("name" in warehouse) return warehouse;
  const row = await ctx.loaders.warehouseByCode.load(warehouse.code);
  // Stock rows reference warehouses by foreign key; a missing row is corruption, not "null".
  if (!row) throw new Error(`warehouse ${warehouse.code} does not exist`);
  return row;
}

export const warehouseResolvers = {
  Warehouse: {
    __resolveReference: (reference: { code: string }, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(reference.code),
    name: async (warehouse: WarehouseParent, _: unknown, ctx: WmsContext) => (await rowOf(warehouse, ctx)).name,
    region: async (warehouse: WarehouseParent, _: unknown, ctx: WmsContext) => (await rowOf(warehouse, ctx)).region,
    bins: (warehouse: WarehouseParent, _: unknown, ctx: WmsContext) => ctx.loaders.binsByWarehouseCode.load(warehouse.code),
  },
};
