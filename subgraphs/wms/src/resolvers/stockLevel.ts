// StockLevel: one sku at one warehouse, already summed over bins by stockLevels.ts; only the
// warehouse needs a (batched) look-up and available is derived, never stored.
import type { WmsContext } from "../context.js";
import type { StockLevelValue } from "../stockLevels.js";

export const stockLevelResolvers = {
  StockLevel: {
    warehouse: (level: StockLevelValue, _: unknown, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(level.warehouseCode),
    available: (level: StockLevelValue) => level.onHand.minus(level.reserved),
  },
};
