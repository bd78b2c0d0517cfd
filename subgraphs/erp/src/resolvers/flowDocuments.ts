// The documents the process layer's ERP writes produce: credit memos, purchase suggestions and
// the recordShipment payload. Relations go through the request's loaders like every other type.
import type { CreditMemo as CreditMemoRow, PurchaseSuggestion as SuggestionRow } from "../__generated__/prisma/client.js";
import type { RecordShipmentResult } from "../writes/recordShipment.js";
import type { ErpContext } from "../context.js";
import { moneyFields } from "./money.js";

export const CreditMemo = {
  ...moneyFields("amount"),
  order: (memo: CreditMemoRow, _: unknown, ctx: ErpContext) => (memo.orderNumber === null ? null : ctx.loaders.orderByNumber.load(memo.orderNumber)),
  customer: (memo: CreditMemoRow, _: unknown, ctx: ErpContext) => ctx.loaders.customerByNumber.load(memo.customerNumber),
};

export const PurchaseSuggestion = {
  product: (suggestion: SuggestionRow, _: unknown, ctx: ErpContext) => ctx.loaders.productBySku.load(suggestion.sku),
};

export const RecordShipmentPayload = {
  order: (payload: RecordShipmentResult, _: unknown, ctx: ErpContext) => ctx.loaders.orderByNumber.load(payload.orderNumber),
  invoice: async (payload: RecordShipmentResult, _: unknown, ctx: ErpContext) => {
    if (payload.invoiceNumber === null) return null;
    const order = await ctx.loaders.orderByNumber.load(payload.orderNumber);
    return order ? ctx.loaders.invoiceByOrderId.load(order.id) : null;
  },
};
