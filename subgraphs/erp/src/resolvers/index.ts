// The ERP subgraph's resolver map: one module per type, merged here with the shared scalars.
// Types whose fields map straight onto Prisma rows (connections) need no module.
import { scalarResolvers } from "@crossdock/schema";
import { Customer } from "./customer.js";
import { Mutation } from "./mutation.js";
import { Order } from "./order.js";
import { OrderLine } from "./orderLine.js";
import { Product } from "./product.js";
import { Query } from "./query.js";
import { SubmitOrderPayload } from "./submitOrderPayload.js";
import { CreditMemo, PurchaseSuggestion, RecordShipmentPayload } from "./flowDocuments.js";
import { Invoice, Payment } from "./receivables.js";
import { AmendOrderPayload } from "./amendOrderPayload.js";

export const resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Customer,
  Product,
  Order,
  OrderLine,
  SubmitOrderPayload,
  Invoice,
  Payment,
  AmendOrderPayload,
  CreditMemo,
  PurchaseSuggestion,
  RecordShipmentPayload,
};
