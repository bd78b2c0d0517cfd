// shipFulfillment: everything picked and not yet shipped leaves as one new shipment. Stock
// leaves the bins (onHand and reserved both fall, with a SHIPMENT movement per line) in the
// same transaction. It never ships unpicked quantities and never ships nothing.
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { Shipment } from "../__generated__/prisma/client.js";
import { documentNumberSql, lockedFulfillment, lockedStock, requireText, runWmsSqlWrite } from "./writeSupport.js";

export interface ShipFulfillmentInput {
  fulfillmentId: string;
  carrier: string;
  trackingNumber: string;
  idempotencyKey: string;
}

const SHIPPABLE = new Set(["PICKING", "PICKED"]);

// The shipment with its CREATED milestone, the lines' shipped quantities, the bins' stock and its
// SHIPMENT movements, and the fulfilment's status, in one statement; returns the shipment.
// $1 fulfilment, $2 order, $3 carrier, $4 tracking, $5 now, $6 warehouse, $7 fulfilment status,
// $8-$9 shipped lines (id, quantity), $10-$15 stock changes (row id, sku, bin, quantity, new onHand, new reserved),
// $16 the manifest (what left, per sku).
const SHIP_SQL = `
WITH sh AS (
  INSERT INTO "Shipment" ("shipmentId", "fulfillmentId", "orderNumber", "carrier", "trackingNumber", "status", "shippedAt", "lines")
  VALUES (${documentNumberSql("SH")}, $1, $2, $3, $4, 'CREATED', $5, $16::jsonb)
  RETURNING *
), milestone AS (
  INSERT INTO "ShipmentMilestone" ("shipmentId", "code", "location", "occurredAt") SELECT sh."shipmentId", 'CREATED', $6, $5 FROM sh
), lines AS (
  UPDATE "FulfillmentLine" AS l SET "quantityShipped" = l."quantityShipped" + c."quantity"
  FROM unnest($8::int[], $9::numeric[]) AS c("id", "quantity") WHERE l."id" = c."id"
), c AS (
  SELECT * FROM unnest($10::int[], $11::text[], $12::text[], $13::numeric[], $14::numeric[], $15::numeric[])
    AS c("id", "sku", "binCode", "quantity", "onHand", "reserved")
), stock AS (
  UPDATE "Stock" AS s SET "onHand" = c."onHand", "reserved" = c."reserved", "updatedAt" = $5 FROM c WHERE s."id" = c."id"
), movements AS (
  INSERT INTO "StockMovement" ("sku", "warehouseCode", "binCode", "quantity", "reason", "reference", "occurredAt")
  SELECT c."sku", $6, c."binCode", -c."quantity", 'SHIPMENT', sh."shipmentId", $5 FROM c, sh
), fo AS (
  UPDATE "FulfillmentOrder" SET "status" = $7::"FulfillmentStatus", "updatedAt" = $5 WHERE "fulfillmentId" = $1
)
SELECT * FROM sh`;

// Plain SQL (runWmsSqlWrite): a write every order makes; the fulfilment with its lines and then
// the bins' stock are locked and read, and everything is written in one statement.
export async function shipFulfillment(ctx: WmsContext, input: ShipFulfillmentInput): Promise<Shipment> {
  const carrier = requireText(input.carrier, "carrier");
  const trackingNumber = requireText(input.trackingNumber, "trackingNumber");
  const { fulfillmentId } = input;

  // The shipment this call created; unset when the key was a replay.
  const {
    result: { shipmentId },
    written: created,
  } = await runWmsSqlWrite<{ shipmentId: string }, Shipment>(ctx, {
    operation: "shipFulfillment",
    idempotency: { key: input.idempotencyKey, request: input },
    decide: async (tx) => {
      const fulfillment = await lockedFulfillment(tx, fulfillmentId);
      if (!fulfillment) throw crossdockError(ErrorCode.UNKNOWN_FULFILLMENT, `No fulfilment ${fulfillmentId}`, { field: "fulfillmentId" });
      if (!SHIPPABLE.has(fulfillment.status)) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Fulfilment ${fulfillmentId} is ${fulfillment.status}; only PICKING or PICKED fulfilments ship`, {
          field: "fulfillmentId",
        });
      }
      const { lines, warehouseCode } = fulfillment;
      const toShip = lines
        .map((line) => ({ line, quantity: toDecimal(line.quantityPicked).minus(toDecimal(line.quantityShipped)) }))
        .filter((entry) => entry.quantity.gt(0));
      if (toShip.length === 0) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Fulfilment ${fulfillmentId} has nothing picked that is not shipped yet`, { field: "fulfillmentId" });
      }

      const stock = await lockedStock(
        tx,
        warehouseCode,
        toShip.map((entry) => entry.line.sku),
      );
      const stockChanges = toShip.map(({ line, quantity }) => {
        const row = stock.find((s) => s.sku === line.sku && s.binCode === line.binCode);
        if (!row || toDecimal(row.onHand).lt(quantity)) {
          throw crossdockError(
            ErrorCode.INSUFFICIENT_STOCK,
            `Bin ${line.binCode} at ${warehouseCode} holds less ${line.sku} than the ${quantity.toFixed()} to ship`,
            {
              field: "fulfillmentId",
            },
          );
        }
        // Reserved never goes negative even if it drifted; what ships was reserved by this fulfilment.
        return { row, quantity, onHand: toDecimal(row.onHand).minus(quantity), reserved: Decimal.max(0, toDecimal(row.reserved).minus(quantity)) };
      });

      const shippedQuantities = new Map(toShip.map((entry) => [entry.line.id, entry.quantity]));
      const fullyShipped = lines.every((line) =>
        toDecimal(line.quantityShipped)
          .plus(shippedQuantities.get(line.id) ?? 0)
          .eq(toDecimal(line.quantity)),
      );
      const status = fullyShipped ? "SHIPPED" : "PICKING";
      // The manifest: per sku (a sku may ship from several bins), in the order the lines were read.
      const perSku = new Map<string, Decimal>();
      for (const { line, quantity } of toShip) perSku.set(line.sku, (perSku.get(line.sku) ?? new Decimal(0)).plus(quantity));
      const manifest = [...perSku].map(([sku, quantity]) => ({ sku, quantity: quantity.toFixed() }));
      const [row] = await tx.query<Shipment>(SHIP_SQL, [
        fulfillmentId,
        fulfillment.orderNumber,
        carrier,
        trackingNumber,
        new Date(),
        warehouseCode,
        status,
        toShip.map((entry) => entry.line.id),
        toShip.map((entry) => entry.quantity.toFixed()),
        stockChanges.map((change) => change.row.id),
        stockChanges.map((change) => change.row.sku),
        stockChanges.map((change) => change.row.binCode),
        stockChanges.map((change) => change.quantity.toFixed()),
        stockChanges.map((change) => change.onHand.toFixed()),
        stockChanges.map((change) => change.reserved.toFixed()),
        JSON.stringify(manifest),
      ]);
      const created = row!;
      return {
        result: { shipmentId: created.shipmentId },
        written: created,
        audit: {
          entityType: "Shipment",
          entityKey: created.shipmentId,
          detail: {
            fulfillmentId,
            carrier,
            trackingNumber,
            fulfillmentStatus: status,
            lines: toShip.map((e) => ({ sku: e.line.sku, quantity: e.quantity.toFixed() })),
          },
        },
      };
    },
  });
  return created ?? ctx.prisma.shipment.findUniqueOrThrow({ where: { shipmentId } });
}
