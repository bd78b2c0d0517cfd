// confirmPick: records what a picker took from the bins for a fulfilment (PickTask rows) and
// moves the fulfilment to PICKING or PICKED. A sku reserved in several bins is picked from its
// lines in order (one pick task per bin). Picked goods stay reserved stock in their bin until
// shipped, so it writes no stock movement and never picks more than the fulfilment asks for.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { FulfillmentOrder } from "../__generated__/prisma/client.js";
import { lockedFulfillment, positiveQuantity, rejectDuplicateSkus, runWmsSqlWrite } from "./writeSupport.js";

export interface ConfirmPickInput {
  fulfillmentId: string;
  lines: { sku: string; quantity: string }[];
  idempotencyKey: string;
}

const PICKABLE = new Set(["RELEASED", "PICKING"]);

// The lines' new picked quantities, the pick tasks and the fulfilment's status in one statement;
// returns the fulfilment. $1 fulfilment, $2 status, $3 now, $4 idempotency key, $5-$6 changed
// lines (id, picked), $7-$9 tasks (sku, bin, quantity).
const PICK_SQL = `
WITH picked AS (
  UPDATE "FulfillmentLine" AS l SET "quantityPicked" = c."picked"
  FROM unnest($5::int[], $6::numeric[]) AS c("id", "picked") WHERE l."id" = c."id"
), tasks AS (
  INSERT INTO "PickTask" ("fulfillmentId", "sku", "binCode", "quantity", "confirmedAt", "idempotencyKey")
  SELECT $1, t."sku", t."binCode", t."quantity", $3, $4 FROM unnest($7::text[], $8::text[], $9::numeric[]) AS t("sku", "binCode", "quantity")
)
UPDATE "FulfillmentOrder" SET "status" = $2::"FulfillmentStatus", "updatedAt" = $3 WHERE "fulfillmentId" = $1 RETURNING *`;

// Plain SQL (runWmsSqlWrite): a write every order makes; the fulfilment and its lines are locked
// and read in one statement, the writes made in another.
export async function confirmPick(ctx: WmsContext, input: ConfirmPickInput): Promise<FulfillmentOrder> {
  if (input.lines.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "lines must not be empty", { field: "lines" });
  rejectDuplicateSkus(input.lines);
  const picks = input.lines.map((line, index) => ({ sku: line.sku, index, quantity: positiveQuantity(line.quantity, `lines.${index}.quantity`) }));
  const { fulfillmentId } = input;

  // The fulfilment as this call left it; unset when the key was a replay.
  const { written: updated } = await runWmsSqlWrite<{ fulfillmentId: string }, FulfillmentOrder>(ctx, {
    operation: "confirmPick",
    idempotency: { key: input.idempotencyKey, request: input },
    decide: async (tx) => {
      const fulfillment = await lockedFulfillment(tx, fulfillmentId);
      if (!fulfillment) throw crossdockError(ErrorCode.UNKNOWN_FULFILLMENT, `No fulfilment ${fulfillmentId}`, { field: "fulfillmentId" });
      if (!PICKABLE.has(fulfillment.status)) {
        throw crossdockError(
          ErrorCode.INVALID_STATE,
          `Fulfilment ${fulfillmentId} is ${fulfillment.status}; picks are confirmed only while RELEASED or PICKING`,
          {
            field: "fulfillmentId",
          },
        );
      }
      const { lines } = fulfillment;
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

      const changed = lines.filter((line) => !picked.get(line.id)!.eq(toDecimal(line.quantityPicked)));
      const fullyPicked = lines.every((line) => picked.get(line.id)!.eq(toDecimal(line.quantity)));
      const status = fullyPicked ? "PICKED" : "PICKING";
      const [row] = await tx.query<FulfillmentOrder>(PICK_SQL, [
        fulfillmentId,
        status,
        new Date(),
        input.idempotencyKey,
        changed.map((line) => line.id),
        changed.map((line) => picked.get(line.id)!.toFixed()),
        tasks.map((task) => task.sku),
        tasks.map((task) => task.binCode),
        tasks.map((task) => task.quantity.toFixed()),
      ]);
      const updated = row!;
      return {
        result: { fulfillmentId },
        written: updated,
        audit: {
          entityType: "Fulfillment",
          entityKey: fulfillmentId,
          detail: { status, lines: picks.map((p) => ({ sku: p.sku, quantity: p.quantity.toFixed() })) },
        },
      };
    },
  });
  return updated ?? ctx.prisma.fulfillmentOrder.findUniqueOrThrow({ where: { fulfillmentId } });
}
