// Mutation root fields the ERP owns. Each delegates to its command (one transaction each),
// then reads the result through fresh loader entries so the response shows the committed state.
import type { ErpContext } from "../context.js";
import { cancelOrder } from "../commands/cancelOrder.js";
import type { SubmitOrderInput } from "../commands/orderInput.js";
import { setCreditLimit } from "../commands/setCreditLimit.js";
import { submitOrder } from "../commands/submitOrder.js";

function actorOf(ctx: ErpContext) {
  return { principal: ctx.principal, requestId: ctx.requestId };
}

export const Mutation = {
  async submitOrder(_: unknown, args: { input: SubmitOrderInput }, ctx: ErpContext) {
    const result = await submitOrder(ctx.prisma, actorOf(ctx), args.input);
    ctx.loaders.customerByNumber.clear(args.input.customerNumber.trim());
    if (result.orderNumber !== null) ctx.loaders.orderByNumber.clear(result.orderNumber);
    return result;
  },

  async cancelOrder(_: unknown, args: { orderNumber: string; reason: string }, ctx: ErpContext) {
    await cancelOrder(ctx.prisma, actorOf(ctx), args.orderNumber, args.reason);
    const order = await ctx.loaders.orderByNumber.clear(args.orderNumber).load(args.orderNumber);
    if (order) ctx.loaders.customerByNumber.clear(order.customerNumber);
    return order;
  },

  async setCreditLimit(_: unknown, args: { customerNumber: string; creditLimit: string }, ctx: ErpContext) {
    await setCreditLimit(ctx.prisma, actorOf(ctx), args.customerNumber, args.creditLimit);
    return ctx.loaders.customerByNumber.clear(args.customerNumber).load(args.customerNumber);
  },
};
