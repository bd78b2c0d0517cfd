// SubmitOrderPayload: the stored decision of a submitOrder (the same on every retry); the
// order itself is read through the loader, so a retry shows the order as it is now.
import type { SubmitOrderResult } from "../writes/submitOrder.js";
import type { ErpContext } from "../context.js";

export const SubmitOrderPayload = {
  order: (payload: SubmitOrderResult, _: unknown, ctx: ErpContext) =>
    payload.orderNumber === null ? null : ctx.loaders.orderByNumber.load(payload.orderNumber),
};
