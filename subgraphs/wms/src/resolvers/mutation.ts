// Mutation root of the WMS: maps each field to its write in ../mutations. The writes own
// validation, the transaction, idempotency and audit; this file adds nothing to them.
import type { WmsContext } from "../context.js";
import { adjustInventory, type AdjustInventoryInput } from "../writes/adjustInventory.js";
import { cancelFulfillment } from "../writes/cancelFulfillment.js";
import { confirmPick, type ConfirmPickInput } from "../writes/confirmPick.js";
import { createFulfillment, type CreateFulfillmentInput } from "../writes/createFulfillment.js";
import { recordShipmentMilestone, type ShipmentMilestoneInput } from "../writes/recordShipmentMilestone.js";
import { recordReceipt, type RecordReceiptInput } from "../writes/recordReceipt.js";
import { setReorderPoint, type SetReorderPointArgs } from "../writes/setReorderPoint.js";
import { shipFulfillment, type ShipFulfillmentInput } from "../writes/shipFulfillment.js";

export const mutationResolvers = {
  Mutation: {
    adjustInventory: (_: unknown, args: { input: AdjustInventoryInput }, ctx: WmsContext) => adjustInventory(ctx, args.input),
    confirmPick: (_: unknown, args: { input: ConfirmPickInput }, ctx: WmsContext) => confirmPick(ctx, args.input),
    shipFulfillment: (_: unknown, args: { input: ShipFulfillmentInput }, ctx: WmsContext) => shipFulfillment(ctx, args.input),
    recordShipmentMilestone: (_: unknown, args: { input: ShipmentMilestoneInput }, ctx: WmsContext) => recordShipmentMilestone(ctx, args.input),
    createFulfillment: (_: unknown, args: { input: CreateFulfillmentInput }, ctx: WmsContext) => createFulfillment(ctx, args.input),
    cancelFulfillment: (_: unknown, args: { fulfillmentId: string; reason: string }, ctx: WmsContext) =>
      cancelFulfillment(ctx, args.fulfillmentId, args.reason),
    recordReceipt: (_: unknown, args: { input: RecordReceiptInput }, ctx: WmsContext) => recordReceipt(ctx, args.input),
    setReorderPoint: (_: unknown, args: SetReorderPointArgs, ctx: WmsContext) => setReorderPoint(ctx, args),
  },
};
