import { scalarResolvers } from "@crossdock/schema";
import { queryResolvers, searchHitResolvers } from "./query.js";
import { inventoryPositionResolvers } from "./inventoryPosition.js";
import { orderStatusViewResolvers } from "./orderStatusView.js";
import { deadLetterResolvers } from "./deadLetter.js";
import { inventoryDashboardResolvers } from "./inventoryDashboard.js";

export const opsResolvers = {
  ...scalarResolvers,
  ...queryResolvers,
  Query: { ...queryResolvers.Query, ...inventoryDashboardResolvers.Query },
  ...searchHitResolvers,
  ...deadLetterResolvers,
  ...inventoryPositionResolvers,
  ...orderStatusViewResolvers,
};
