import { scalarResolvers } from "@crossdock/schema";
import { queryResolvers } from "./query.js";
import { inventoryPositionResolvers } from "./inventoryPosition.js";
import { orderStatusViewResolvers } from "./orderStatusView.js";
import { deadLetterResolvers } from "./deadLetter.js";

export const opsResolvers = {
  ...scalarResolvers,
  ...queryResolvers,
  ...deadLetterResolvers,
  ...inventoryPositionResolvers,
  ...orderStatusViewResolvers,
};
