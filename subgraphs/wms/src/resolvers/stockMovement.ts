// One row of the stock ledger. The id is a bigint in the database and a string on the wire.
import type { StockMovement } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const stockMovementResolvers = {
  StockMovement: {
    id: (movement: StockMovement) => movement.id.toString(),
    product: (movement: StockMovement) => ({ sku: movement.sku }),
    warehouse: (movement: StockMovement, _: unknown, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(movement.warehouseCode),
  },
};
