// One row of the stock ledger. The id is a bigint in the database and a string on the wire. A
// movement's reference names the order, fulfilment or receipt behind it; the WMS cannot tell
// whose those are, so a partner (who may see stock, not other customers' documents) gets none.
import { partnerCustomer } from "@crossdock/platform";
import type { StockMovement } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const stockMovementResolvers = {
  StockMovement: {
    id: (movement: StockMovement) => movement.id.toString(),
    product: (movement: StockMovement) => ({ sku: movement.sku }),
    warehouse: (movement: StockMovement, _: unknown, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(movement.warehouseCode),
    reference: (movement: StockMovement, _: unknown, ctx: WmsContext) => (partnerCustomer(ctx.principal) === undefined ? movement.reference : null),
  },
};
