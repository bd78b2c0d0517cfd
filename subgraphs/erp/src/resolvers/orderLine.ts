// OrderLine (a SalesOrderLine row): its product comes through the request's product loader.
import type { SalesOrderLine } from "../__generated__/prisma/client.js";
import type { ErpContext } from "../context.js";
import { moneyFields } from "./money.js";

export const OrderLine = {
  ...moneyFields("unitPrice"),
  product: (line: SalesOrderLine, _: unknown, ctx: ErpContext) => ctx.loaders.productBySku.load(line.sku),
};
