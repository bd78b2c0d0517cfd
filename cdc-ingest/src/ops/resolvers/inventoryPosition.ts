// InventoryPosition: the read model's unified stock position; product and warehouse are
// entity references the ERP and WMS resolve.
import type { InventoryPosition } from "../../__generated__/prisma/client.js";
import type { OpsContext } from "../context.js";
import { positionKey } from "../loaders.js";

export const inventoryPositionResolvers = {
  InventoryPosition: {
    __resolveReference(ref: { sku: string; warehouseCode: string }, ctx: OpsContext) {
      return ctx.loaders.positionByKey.load(positionKey(ref.sku, ref.warehouseCode));
    },
    product: (position: InventoryPosition) => ({ __typename: "Product", sku: position.sku }),
    warehouse: (position: InventoryPosition) => ({ __typename: "Warehouse", code: position.warehouseCode }),
  },
  Product: {
    __resolveReference: (ref: { sku: string }) => ({ sku: ref.sku }),
    inventory: (product: { sku: string }, _args: unknown, ctx: OpsContext) => ctx.loaders.positionsBySku.load(product.sku),
  },
};
