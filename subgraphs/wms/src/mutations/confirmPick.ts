// confirmPick: records what a picker took from the bins for a fulfilment (PickTask rows) and
// moves the fulfilment to PICKING or PICKED. A sku reserved in several bins is picked from its
// lines in order (one pick task per bin). Picked goods stay reserved stock in their bin until
// shipped, so it writes no stock movement and never picks more than the fulfilment asks for.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
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
      const picked = new Map(lines.map((line) => [line.id, toDecimal(line.quantityPicked)]));
      const tasks: { sku: string; binCode: string; quantity: Decimal }[] = [];
      for (const pick of picks) {
        const skuLines = lines.filter((l) => l.sku === pick.sku);
        if (skuLines.length === 0) {
          throw crossdockError(ErrorCode.BAD_USER_INPUT, `${pick.sku} is not on fulfilment ${fulfillmentId}`, { field: `lines.${pick.index}.sku` });
        }
        const ordered = skuLines.reduce((sum, l) => sum.plus(toDecimal(l.quantity)), new Decimal(0));
        const already = skuLines.reduce((sum, l) => sum.plus(toDecimal(l.quantityPicked)), new Decimal(0));
        if (already.plus(pick.quantity).gt(ordered)) {
          throw crossdockError(
            ErrorCode.INVALID_QUANTITY,
            `Picking ${pick.quantity.toFixed()} of ${pick.sku} would exceed the ${ordered.toFixed()} the fulfilment asks for (already picked ${already.toFixed()})`,
            { field: `lines.${pick.index}.quantity` },
          );
        }
        let left = pick.quantity;
        for (const line of skuLines) {
          const open = toDecimal(line.quantity).minus(picked.get(line.id)!);
          if (left.lte(0) || open.lte(0)) continue;
          const take = Decimal.min(left, open);
          picked.set(line.id, picked.get(line.id)!.plus(take));
          tasks.push({ sku: pick.sku, binCode: line.binCode, quantity: take });
          left = left.minus(take);
        }
      }

      const now = new Date();
      for (const line of lines) {
        if (!picked.get(line.id)!.eq(toDecimal(line.quantityPicked))) {
          await tx.fulfillmentLine.update({ where: { id: line.id }, data: { quantityPicked: picked.get(line.id)!.toFixed() } });
        }
      }
      await tx.pickTask.createMany({
        data: tasks.map((task) => ({
          fulfillmentId,
          sku: task.sku,
          binCode: task.binCode,
          quantity: task.quantity.toFixed(),
          confirmedAt: now,
          idempotencyKey: input.idempotencyKey,
        })),
      });
      const fullyPicked = lines.every((line) => picked.get(line.id)!.eq(toDecimal(line.quantity)));
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
