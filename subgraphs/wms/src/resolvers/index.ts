// All WMS resolvers merged into the one map the subgraph server builds its schema from,
// together with the shared Decimal and DateTime scalars. No resolver logic lives here.
import { scalarResolvers } from "@crossdock/schema";
import { binResolvers } from "./bin.js";
import { binStockResolvers } from "./binStock.js";
import { fulfillmentResolvers } from "./fulfillment.js";
import { fulfillmentLineResolvers } from "./fulfillmentLine.js";
import { mutationResolvers } from "./mutation.js";
import { orderResolvers } from "./order.js";
import { productResolvers } from "./product.js";
import { queryResolvers } from "./query.js";
import { shipmentResolvers } from "./shipment.js";
import { stockLevelResolvers } from "./stockLevel.js";
import { stockMovementResolvers } from "./stockMovement.js";
import { warehouseResolvers } from "./warehouse.js";

export const resolvers = {
  ...scalarResolvers,
  ...queryResolvers,
  ...mutationResolvers,
  ...warehouseResolvers,
  ...binResolvers,
  ...productResolvers,
  ...orderResolvers,
  ...stockLevelResolvers,
  ...binStockResolvers,
  ...fulfillmentResolvers,
  ...fulfillmentLineResolvers,
  ...shipmentResolvers,
  ...stockMovementResolvers,
};
