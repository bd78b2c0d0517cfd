// AmendOrderPayload: the stored decision of an amendOrder (the same on every retry); the order
// itself is read through the loader, so a retry shows the order as it is now.
import type { AmendOrderResult } from "../writes/amendOrder.js";
import type { ErpContext } from "../context.js";

export const AmendOrderPayload = {
  order: (payload: AmendOrderResult, _: unknown, ctx: ErpContext) => ctx.loaders.orderByNumber.load(payload.orderNumber),
};
