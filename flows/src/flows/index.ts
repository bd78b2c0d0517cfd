// Every flow the process layer runs, in the order their triggers apply to one feed entry.
import type { FlowDefinition } from "../engine/types.js";
import { caseSla } from "./caseSla.js";
import { orderAmendment } from "./orderAmendment.js";
import { orderToCash } from "./orderToCash.js";
import { replenishment } from "./replenishment.js";
import { returns } from "./returns.js";
import { shipmentException } from "./shipmentException.js";

export { ReorderPoints } from "./replenishment.js";

export const ALL_FLOWS: readonly FlowDefinition[] = [orderToCash, orderAmendment, shipmentException, returns, replenishment, caseSla];
