// Mutation root fields the ERP owns. Each delegates to its command (one transaction each),
// then reads the result through fresh loader entries so the response shows the committed state;
// the plain-SQL writes hand back the rows they wrote, which take the place of that read.
import type { ErpContext } from "../context.js";
import { cancelOrder } from "../writes/cancelOrder.js";
import type { SubmitOrderInput } from "../writes/orderInput.js";
import { setCreditLimit } from "../writes/setCreditLimit.js";
import { submitOrder } from "../writes/submitOrder.js";
import { recordShipment, type RecordShipmentInput } from "../writes/recordShipment.js";
import { primeWrittenRows } from "../writes/orderRows.js";
import { setBillingHold, type BillingHoldInput } from "../writes/billingHold.js";
import { createCreditMemo, type CreateCreditMemoInput } from "../writes/createCreditMemo.js";
import { createPurchaseSuggestion, type CreatePurchaseSuggestionInput } from "../writes/createPurchaseSuggestion.js";
import { amendOrder, type AmendOrderInput } from "../writes/amendOrder.js";
import { recordPayment, type RecordPaymentInput } from "../writes/recordPayment.js";

/** The audit subject: always the verified principal, never anything in the arguments. */
function actorOf(ctx: ErpContext) {
  return { principal: ctx.principal, requestId: ctx.requestId, traceparent: ctx.traceparent };
}

export const Mutation = {
  async submitOrder(_: unknown, args: { input: SubmitOrderInput }, ctx: ErpContext) {
    const { result, written } = await submitOrder(ctx.writes, actorOf(ctx), args.input);
    ctx.loaders.customerByNumber.clear(args.input.customerNumber.trim());
    if (result.orderNumber !== null) ctx.loaders.orderByNumber.clear(result.orderNumber);
    if (written) primeWrittenRows(ctx.loaders, written);
    return result;
  },

  async cancelOrder(_: unknown, args: { orderNumber: string; reason: string }, ctx: ErpContext) {
    await cancelOrder(ctx.writes, actorOf(ctx), args.orderNumber, args.reason);
    const order = await ctx.loaders.orderByNumber.clear(args.orderNumber).load(args.orderNumber);
    if (order) ctx.loaders.customerByNumber.clear(order.customerNumber);
    return order;
  },

  async setCreditLimit(_: unknown, args: { customerNumber: string; creditLimit: string }, ctx: ErpContext) {
    await setCreditLimit(ctx.writes, actorOf(ctx), args.customerNumber, args.creditLimit);
    return ctx.loaders.customerByNumber.clear(args.customerNumber).load(args.customerNumber);
  },

  async recordShipment(_: unknown, args: { input: RecordShipmentInput }, ctx: ErpContext) {
    const { result, written } = await recordShipment(ctx.writes, actorOf(ctx), args.input);
    ctx.loaders.orderByNumber.clear(result.orderNumber);
    if (written) primeWrittenRows(ctx.loaders, written);
    return result;
  },

  async placeBillingHold(_: unknown, args: { input: BillingHoldInput }, ctx: ErpContext) {
    await setBillingHold(ctx.writes, actorOf(ctx), args.input, true);
    return ctx.loaders.orderByNumber.clear(args.input.orderNumber).load(args.input.orderNumber);
  },

  async liftBillingHold(_: unknown, args: { input: BillingHoldInput }, ctx: ErpContext) {
    await setBillingHold(ctx.writes, actorOf(ctx), args.input, false);
    return ctx.loaders.orderByNumber.clear(args.input.orderNumber).load(args.input.orderNumber);
  },

  async createCreditMemo(_: unknown, args: { input: CreateCreditMemoInput }, ctx: ErpContext) {
    const { memoNumber } = await createCreditMemo(ctx.writes, actorOf(ctx), args.input);
    return ctx.prisma.creditMemo.findUniqueOrThrow({ where: { memoNumber } });
  },

  async amendOrder(_: unknown, args: { input: AmendOrderInput }, ctx: ErpContext) {
    const result = await amendOrder(ctx.writes, actorOf(ctx), args.input);
    const order = await ctx.loaders.orderByNumber.clear(result.orderNumber).load(result.orderNumber);
    if (order) {
      ctx.loaders.customerByNumber.clear(order.customerNumber);
      ctx.loaders.linesByOrderId.clear(order.id);
    }
    return result;
  },

  async recordPayment(_: unknown, args: { input: RecordPaymentInput }, ctx: ErpContext) {
    const { paymentId } = await recordPayment(ctx.writes, actorOf(ctx), args.input);
    ctx.loaders.customerByNumber.clear(args.input.customerNumber.trim());
    return ctx.prisma.payment.findUniqueOrThrow({ where: { paymentId } });
  },

  async createPurchaseSuggestion(_: unknown, args: { input: CreatePurchaseSuggestionInput }, ctx: ErpContext) {
    const { id } = await createPurchaseSuggestion(ctx.writes, actorOf(ctx), args.input);
    return { suggestion: id === null ? null : await ctx.prisma.purchaseSuggestion.findUnique({ where: { id } }) };
  },
};
