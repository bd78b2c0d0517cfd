// OrderLine (a SalesOrderLine row): its product comes through the request's product loader
// (or, when only its sku is asked for, from the line itself).
import type { GraphQLResolveInfo } from "graphql";
import type { SalesOrderLine } from "../__generated__/prisma/client.js";
import type { ErpContext } from "../context.js";
import { selectsOnlyKey } from "./keyOnly.js";
import { moneyFields } from "./money.js";

export const OrderLine = {
  ...moneyFields("unitPrice"),
  product: (line: SalesOrderLine, _: unknown, ctx: ErpContext, info: GraphQLResolveInfo) =>
    selectsOnlyKey(info, "sku") ? { sku: line.sku } : ctx.loaders.productBySku.load(line.sku),
};
