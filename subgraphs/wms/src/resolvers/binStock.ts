// BinStock: the per-bin detail of a StockLevel; available is derived, never stored.
import type { BinStockValue } from "../stockLevels.js";

export const binStockResolvers = {
  BinStock: {
    available: (bin: BinStockValue) => bin.onHand.minus(bin.reserved),
  },
};
