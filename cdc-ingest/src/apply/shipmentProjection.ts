// Shipment events for the change feed: every change to a WMS shipment or a new milestone
// becomes one entry carrying the shipment's order, status, carrier, tracking number and (when
// there is one) milestone; the shipment's creation also carries what left in it (its manifest,
// when the WMS kept one), so a consumer can act on the shipment without asking the WMS.
import type { SqlSession } from "@crossdock/platform";
import type { FeedEntryInput } from "../feed/feedTypes.js";
import type { MirrorWrite, PlainRow } from "./mirrorChanges.js";

export async function projectShipmentEvents(session: SqlSession, writes: readonly MirrorWrite[]): Promise<FeedEntryInput[]> {
  const shipments = writes.filter((w) => w.table === "Shipment" && !w.deleted);
  const milestones = writes.filter((w) => w.table === "ShipmentMilestone" && !w.deleted);
  if (shipments.length === 0 && milestones.length === 0) return [];
  const ids = [...new Set([...shipments.map((w) => String(w.data["shipmentId"])), ...milestones.map((w) => String(w.data["shipmentId"]))])];
  const current = await session.query<{ shipmentId: string; data: PlainRow }>(
    `SELECT "data"->>'shipmentId' AS "shipmentId", "data" FROM "SourceRow"
     WHERE "source" = 'wms' AND "tableName" = 'Shipment' AND NOT "deleted" AND "data"->>'shipmentId' = ANY($1::text[])`,
    [ids],
  );
  const byId = new Map(current.map((row) => [row.shipmentId, row.data]));
  const entries: FeedEntryInput[] = [];
  const covered = new Set<string>();
  for (const milestone of milestones) {
    const shipmentId = String(milestone.data["shipmentId"]);
    const shipment = byId.get(shipmentId);
    if (!shipment) continue;
    covered.add(shipmentId);
    entries.push({
      entityType: "Shipment",
      entityKey: shipmentId,
      changeKind: "UPDATED",
      occurredAt: milestone.committedAt,
      payload: {
        ...shipmentFields(shipmentId, shipment, milestone.data["code"] === "CREATED"),
        milestone: {
          code: milestone.data["code"],
          location: milestone.data["location"] ?? null,
          occurredAt: milestone.data["occurredAt"],
          note: milestone.data["note"] ?? null,
        },
      },
    });
  }
  for (const write of shipments) {
    const shipmentId = String(write.data["shipmentId"]);
    if (covered.has(shipmentId)) continue;
    const shipment = byId.get(shipmentId) ?? write.data;
    entries.push({
      entityType: "Shipment",
      entityKey: shipmentId,
      changeKind: write.images.length === 1 ? "CREATED" : "UPDATED",
      occurredAt: write.committedAt,
      payload: { ...shipmentFields(shipmentId, shipment, write.images.length === 1), milestone: null },
    });
  }
  return entries;
}

/** What every shipment entry says of the shipment; with `created`, its manifest too (when it has one). */
export function shipmentFields(shipmentId: string, shipment: PlainRow, created: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    shipmentId,
    orderNumber: shipment["orderNumber"] ?? null,
    status: shipment["status"] ?? null,
    carrier: shipment["carrier"] ?? null,
    trackingNumber: shipment["trackingNumber"] ?? null,
  };
  const lines = created ? manifestOf(shipment["lines"]) : [];
  if (lines.length > 0) fields["lines"] = lines;
  return fields;
}

/** The manifest as captured: a JSON array (logical decoding, the outbox) or its text (Debezium's Json type). */
function manifestOf(value: unknown): { sku: string; quantity: string }[] {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(parsed)) return [];
  const lines = parsed.map((line: { sku?: unknown; quantity?: unknown } | null) => ({ sku: line?.sku, quantity: line?.quantity }));
  return lines.every((line) => typeof line.sku === "string" && typeof line.quantity === "string") ? (lines as { sku: string; quantity: string }[]) : [];
}
