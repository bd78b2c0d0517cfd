// The Warehouse entity (key: code) and its bins. References from other subgraphs resolve
// through the warehouseByCode loader, so 100 representations are one statement.
import type { Warehouse } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const warehouseResolvers = {
  Warehouse: {
    __resolveReference: (reference: { code: string }, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(reference.code),
    bins: (warehouse: Warehouse, _: unknown, ctx: WmsContext) => ctx.loaders.binsByWarehouseCode.load(warehouse.code),
  },
};
