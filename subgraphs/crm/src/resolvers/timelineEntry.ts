// TimelineEntry: one line of what the account team sees. Its order is a reference to the ERP
// order by number (null for entries about the account as a whole).
import type { TimelineEntry as TimelineEntryRow } from "../__generated__/prisma/client.js";
import { orderReference, type OrderReference } from "./references.js";

export const TimelineEntry = {
  order(row: TimelineEntryRow): OrderReference | null {
    return orderReference(row.orderNumber);
  },
};
