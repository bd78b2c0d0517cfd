// StockLevel: one sku at one warehouse, already summed over bins by stockLevels.ts; the
// warehouse is read only when more than its code is selected; available is derived, never stored.
import type { WarehouseParent } from "./warehouse.js";
import type { StockLevelValue } from "../stockLevels.js";

export const stockLevelResolvers = {
  StockLevel: {
    // The key only: the Warehouse resolvers read the row when a field beyond the code is asked for.
    warehouse: (level: StockLevelValue): WarehouseParent => ({ code: level.warehouseCode }),
    available: (level: StockLevelValue) => level.onHand.minus(level.reserved),
  },
};
