import { scalarResolvers } from "@crossdock/schema";
import { queryResolvers, searchHitResolvers } from "./query.js";
import { inventoryPositionResolvers } from "./inventoryPosition.js";
import { orderStatusViewResolvers } from "./orderStatusView.js";
import { deadLetterResolvers } from "./deadLetter.js";

export const opsResolvers = {
  ...scalarResolvers,
  ...queryResolvers,
  ...searchHitResolvers,
  ...deadLetterResolvers,
  ...inventoryPositionResolvers,
  ...orderStatusViewResolvers,
};
