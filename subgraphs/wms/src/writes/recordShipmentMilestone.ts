// recordShipmentMilestone: appends a carrier milestone and makes its code the shipment's
// status (DELIVERED also stamps deliveredAt). An EXCEPTION puts the fulfilment into
// EXCEPTION; a later milestone clears it. Carrier feeds deliver scans late and out of order:
// a milestone older than the shipment's latest one joins the history without moving the
// status back. Nothing may happen after DELIVERED, and a shipment is delivered once.
import type { SqlTransaction } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { WmsContext } from "../context.js";
import type { FulfillmentStatus, Shipment, ShipmentStatus } from "../__generated__/prisma/client.js";
import { runWmsSqlWrite } from "./writeSupport.js";

export interface ShipmentMilestoneInput {
  shipmentId: string;
  code: ShipmentStatus;
  location?: string | null;
  occurredAt?: Date | null;
  note?: string | null;
  idempotencyKey: string;
}

// The shipment, locked (read as it is now, even after waiting for the lock).
const SHIPMENT_SQL = `SELECT * FROM "Shipment" WHERE "shipmentId" = $1 FOR UPDATE`;

// In one statement, whose snapshot follows the shipment's lock (so it sees every milestone
// committed before): whether a newer milestone exists; the milestone; and, unless it is a late
// scan, the shipment's new status (DELIVERED stamps deliveredAt) and its fulfilment's status read
// under a lock. Returns "later" and, when the shipment moved, the shipment and that status.
const RECORD_SQL = `
WITH later AS (
  SELECT EXISTS (SELECT 1 FROM "ShipmentMilestone" WHERE "shipmentId" = $1 AND "occurredAt" > $5) AS "later"
), milestone AS (
  INSERT INTO "ShipmentMilestone" ("shipmentId", "code", "location", "note", "occurredAt") VALUES ($1, $2::"ShipmentStatus", $3, $4, $5)
), fo AS (
  SELECT "status"::text AS "status" FROM "FulfillmentOrder" WHERE "fulfillmentId" = $6 AND NOT (SELECT "later" FROM later) FOR UPDATE
), sh AS (
  UPDATE "Shipment" SET "status" = $2::"ShipmentStatus", "deliveredAt" = CASE WHEN $2 = 'DELIVERED' THEN $5 ELSE "deliveredAt" END
  WHERE "shipmentId" = $1 AND NOT (SELECT "later" FROM later) RETURNING *
)
SELECT (SELECT "later" FROM later) AS "later", sh.*, fo."status" AS "fulfillmentStatus" FROM (SELECT 1) AS one LEFT JOIN sh ON true LEFT JOIN fo ON true`;

/** Where the fulfilment goes after this milestone: EXCEPTION with one, back to where its lines say once no shipment is in EXCEPTION. */
async function fulfillmentStatusAfter(tx: SqlTransaction, fulfillmentId: string, current: FulfillmentStatus, code: ShipmentStatus): Promise<FulfillmentStatus> {
  if (code === "EXCEPTION") return "EXCEPTION";
  if (current !== "EXCEPTION") return current;
  // Every shipment of the fulfilment has moved on, so the exception is over: back to where the
  // lines say it is. (Another shipment still in EXCEPTION keeps the fulfilment there.)
  const [state] = await tx.query<{ exceptions: number; open: number }>(
    `SELECT (SELECT count(*) FROM "Shipment" WHERE "fulfillmentId" = $1 AND "status" = 'EXCEPTION')::int AS "exceptions",
            (SELECT count(*) FROM "FulfillmentLine" WHERE "fulfillmentId" = $1 AND "quantityShipped" <> "quantity")::int AS "open"`,
    [fulfillmentId],
  );
  if (state!.exceptions > 0) return "EXCEPTION";
  return state!.open === 0 ? "SHIPPED" : "PICKING";
}

// Plain SQL (runWmsSqlWrite): every delivered order records milestones, so the usual case (a
// milestone that moves the shipment on) takes two statements.
export async function recordShipmentMilestone(ctx: WmsContext, input: ShipmentMilestoneInput): Promise<Shipment> {
  const { shipmentId, code } = input;
  const location = input.location?.trim() || null;
  const note = input.note?.trim() || null;

  // `written`: the shipment as this call left it; null when the key was a replay.
  const { written } = await runWmsSqlWrite<{ shipmentId: string }, Shipment>(ctx, {
    operation: "recordShipmentMilestone",
    // The stored request keeps occurredAt as the client sent it, so a retry without it still matches.
    idempotency: { key: input.idempotencyKey, request: { ...input, occurredAt: input.occurredAt?.toISOString() ?? null } },
    decide: async (tx) => {
      const occurredAt = input.occurredAt ?? new Date();
      const [shipment] = await tx.query<Shipment>(SHIPMENT_SQL, [shipmentId]);
      if (!shipment) throw crossdockError(ErrorCode.UNKNOWN_SHIPMENT, `No shipment ${shipmentId}`, { field: "shipmentId" });
      const deliveredAt = shipment.deliveredAt === null ? null : new Date(shipment.deliveredAt);
      if (shipment.status === "DELIVERED" && (code === "DELIVERED" || !deliveredAt || occurredAt > deliveredAt)) {
        throw crossdockError(ErrorCode.INVALID_STATE, `Shipment ${shipmentId} is already DELIVERED; no milestone may follow`, { field: "shipmentId" });
      }
      const [recorded] = await tx.query<Shipment & { later: boolean; fulfillmentStatus: FulfillmentStatus }>(RECORD_SQL, [
        shipmentId,
        code,
        location,
        note,
        occurredAt,
        shipment.fulfillmentId,
      ]);
      const { later, fulfillmentStatus: current, ...updated } = recorded!;
      if (later) {
        // A late scan: history only; the shipment and its fulfilment stay where the newer milestones put them.
        return {
          result: { shipmentId },
          written: shipment,
          audit: { entityType: "Shipment", entityKey: shipmentId, detail: { code, location, note, occurredAt: occurredAt.toISOString(), late: true } },
        };
      }
      const fulfillmentStatus = await fulfillmentStatusAfter(tx, shipment.fulfillmentId, current, code);
      if (fulfillmentStatus !== current) {
        await tx.query(`UPDATE "FulfillmentOrder" SET "status" = $2::"FulfillmentStatus", "updatedAt" = $3 WHERE "fulfillmentId" = $1`, [
          shipment.fulfillmentId,
          fulfillmentStatus,
          new Date(),
        ]);
      }
      return {
        result: { shipmentId },
        written: updated,
        audit: { entityType: "Shipment", entityKey: shipmentId, detail: { code, location, note, occurredAt: occurredAt.toISOString(), fulfillmentStatus } },
      };
    },
  });
  return written ?? ctx.prisma.shipment.findUniqueOrThrow({ where: { shipmentId } });
}
