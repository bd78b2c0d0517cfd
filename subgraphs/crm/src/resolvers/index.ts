// The CRM subgraph's resolver map: one module per GraphQL type, merged here with the shared
// scalars. Types whose fields map straight onto rows need no module beyond their reference.
import { scalarResolvers } from "@crossdock/schema";
import { Account } from "./account.js";
import { Case } from "./case.js";
import { Contact } from "./contact.js";
import { Customer } from "./customer.js";
import { Mutation } from "./mutation.js";
import { Order } from "./order.js";
import { Query } from "./query.js";
import { TimelineEntry } from "./timelineEntry.js";

export const resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Customer,
  Order,
  Account,
  Case,
  Contact,
  TimelineEntry,
};
