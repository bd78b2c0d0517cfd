// confirmPick: records what a picker took from the bins for a fulfilment (PickTask rows) and
// moves the fulfilment to PICKING or PICKED. Picked goods stay reserved stock in their bin
// until shipped, so it writes no stock movement and never picks more than a line asks for.
import { crossdockError, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { FulfillmentOrder } from "../__generated__/prisma/client.js";
import { lockFulfillment, positiveQuantity, rejectDuplicateSkus, runWmsWrite } from "./writeSupport.js";

export interface ConfirmPickInput {
  fulfillmentId: string;
  lines: { sku: string; quantity: string }[];
  idempotencyKey: string;
}

const PICKABLE = new Set(["RELEASED", "PICKING"]);

export async function confirmPick(ctx: WmsContext, input: ConfirmPickInput): Promise<FulfillmentOrder> {
  if (input.lines.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "lines must not be empty", { field: "lines" });
  rejectDuplicateSkus(input.lines);
  const picks = input.lines.map((line, index) => ({ sku: line.sku, index, quantity: positiveQuantity(line.quantity, `lines.${index}.quantity`) }));
  const { fulfillmentId } = input;

  await runWmsWrite(ctx, {
    operation: "confirmPick",
    idempotency: { key: input.idempotencyKey, request: input },
    execute: async (tx) => {
      if (!(await lockFulfillment(tx, fulfillmentId))) {
        throw crossdockError(ErrorCode.UNKNOWN_FULFILLMENT, `No fulfilment ${fulfillmentId}`, { field: "fulfillmentId" });
      }
      const fulfillment = await tx.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
      if (!PICKABLE.has(fulfillment.status)) {
        throw crossdockError(
          ErrorCode.INVALID_STATE,
          `Fulfilment ${fulfillmentId} is ${fulfillment.status}; picks are confirmed only while RELEASED or PICKING`,
          {
            field: "fulfillmentId",
          },
        );
      }
      const lines = await tx.fulfillmentLine.findMany({ where: { fulfillmentId }, orderBy: { id: "asc" } });
      const picked = new Map(lines.map((line) => [line.sku, toDecimal(line.quantityPicked)]));
      for (const pick of picks) {
        const line = lines.find((l) => l.sku === pick.sku);
        if (!line) throw crossdockError(ErrorCode.BAD_USER_INPUT, `${pick.sku} is not on fulfilment ${fulfillmentId}`, { field: `lines.${pick.index}.sku` });
        const after = toDecimal(line.quantityPicked).plus(pick.quantity);
        if (after.gt(toDecimal(line.quantity))) {
          throw crossdockError(
            ErrorCode.INVALID_QUANTITY,
            `Picking ${pick.quantity.toFixed()} of ${pick.sku} would exceed the line quantity ${toDecimal(line.quantity).toFixed()} (already picked ${toDecimal(line.quantityPicked).toFixed()})`,
            { field: `lines.${pick.index}.quantity` },
          );
        }
        picked.set(pick.sku, after);
      }

      const now = new Date();
      for (const pick of picks) {
        await tx.fulfillmentLine.update({
          where: { fulfillmentId_sku: { fulfillmentId, sku: pick.sku } },
          data: { quantityPicked: picked.get(pick.sku)!.toFixed() },
        });
      }
      await tx.pickTask.createMany({
        data: picks.map((pick) => ({
          fulfillmentId,
          sku: pick.sku,
          binCode: lines.find((l) => l.sku === pick.sku)!.binCode,
          quantity: pick.quantity.toFixed(),
          confirmedAt: now,
          idempotencyKey: input.idempotencyKey,
        })),
      });
      const fullyPicked = lines.every((line) => picked.get(line.sku)!.eq(toDecimal(line.quantity)));
      const status = fullyPicked ? "PICKED" : "PICKING";
      await tx.fulfillmentOrder.update({ where: { fulfillmentId }, data: { status } });
      return {
        result: { fulfillmentId },
        audit: {
          entityType: "Fulfillment",
          entityKey: fulfillmentId,
          detail: { status, lines: picks.map((p) => ({ sku: p.sku, quantity: p.quantity.toFixed() })) },
        },
      };
    },
  });
  return ctx.prisma.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
}
