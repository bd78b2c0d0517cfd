// Product, the ERP-owned entity keyed by sku: catalogue data and the price a customer pays
// (contract price, else list price). Every lookup goes through the request's loaders.
import type { Product as ProductRow } from "../__generated__/prisma/client.js";
import type { ErpContext } from "../context.js";
import { customerPriceKey } from "../loaders.js";
import { moneyToString } from "@crossdock/schema";
import { mayAccessCustomer } from "@crossdock/platform";
import { moneyFields } from "./money.js";

export const Product = {
  ...moneyFields("listPrice"),
  __resolveReference: (reference: { sku: string }, ctx: ErpContext) => ctx.loaders.productBySku.load(reference.sku),

  async priceFor(product: ProductRow, args: { customerNumber: string }, ctx: ErpContext) {
    // Another customer's contract price is that customer's data: a partner gets null, as for an unknown customer.
    if (!mayAccessCustomer(ctx.principal, args.customerNumber)) return null;
    const [customer, contract] = await Promise.all([
      ctx.loaders.customerByNumber.load(args.customerNumber),
      ctx.loaders.customerPrice.load(customerPriceKey(args.customerNumber, product.sku)),
    ]);
    if (!customer) return null;
    return moneyToString(contract?.unitPrice ?? product.listPrice);
  },
};
