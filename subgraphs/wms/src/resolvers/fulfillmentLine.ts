// A fulfilment line: one sku, the bin it is reserved in, and how much is picked and shipped.
// The product is a bare reference; its description comes from the ERP through the gateway.
import type { FulfillmentLine } from "../__generated__/prisma/client.js";

export const fulfillmentLineResolvers = {
  FulfillmentLine: {
    product: (line: FulfillmentLine) => ({ sku: line.sku }),
  },
};
