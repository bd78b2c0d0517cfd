// A storage location inside a warehouse. Its warehouse comes from the request's loader.
import type { Bin } from "../__generated__/prisma/client.js";
import type { WmsContext } from "../context.js";

export const binResolvers = {
  Bin: {
    warehouse: (bin: Bin, _: unknown, ctx: WmsContext) => ctx.loaders.warehouseByCode.load(bin.warehouseCode),
  },
};
