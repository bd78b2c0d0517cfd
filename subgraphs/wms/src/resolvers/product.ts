// The WMS's share of the ERP-owned Product: physical stock per warehouse. The WMS does not
// know the catalogue, so any sku resolves; one it never stocked simply has no stock.
import type { WmsContext } from "../context.js";
import { aggregateStockLevels } from "../stockLevels.js";

interface ProductReference {
  sku: string;
}

export const productResolvers = {
  Product: {
    __resolveReference: (reference: ProductReference) => ({ sku: reference.sku }),
    stock: async (product: ProductReference, _: unknown, ctx: WmsContext) => aggregateStockLevels(await ctx.loaders.stockBySku.load(product.sku)),
  },
};
