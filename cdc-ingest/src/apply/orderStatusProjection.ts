// OrderStatusView (one row per order): the stage derived from the ERP order and invoice and
// the WMS fulfilments and shipments, recomputed for the orders a batch touched.
import type { SqlSession } from "@crossdock/platform";
import type { FeedEntryInput } from "../feed/feedTypes.js";
import { deriveOrderStage } from "./orderStage.js";

export interface OrderKey {
  orderNumber: string;
  committedAt: Date;
}

interface OrderFactsRow {
  orderNumber: string;
  committedAt: Date;
  erpStatus: string | null;
  customerNumber: string | null;
  warehouseCode: string | null;
  /** A RELEASED order's lines (what its fulfilment will ask for); null otherwise. */
  lines: { sku: string; quantity: string }[] | null;
  invoices: number;
  fulfillments: string[] | null;
  shipments: string[] | null;
  previousStage: string | null;
  previousErpStatus: string | null;
  previousCustomerNumber: string | null;
  previousCommittedAt: Date | null;
}

export async function projectOrderStatuses(session: SqlSession, keys: readonly OrderKey[]): Promise<FeedEntryInput[]> {
  if (keys.length === 0) return [];
  // Each fact is an index probe per order number (partial indexes of exactly these predicates),
  // so the cost stays per touched order whatever the mirror's size.
  const facts = await session.query<OrderFactsRow>(
    `WITH k AS (SELECT num, MAX(ts) AS ts FROM unnest($1::text[], $2::timestamptz[]) AS x(num, ts) GROUP BY num)
     SELECT k.num AS "orderNumber", k.ts AS "committedAt",
       o."data"->>'status' AS "erpStatus", o."data"->>'customerNumber' AS "customerNumber", o."data"->>'warehouseCode' AS "warehouseCode",
       CASE WHEN o."data"->>'status' = 'RELEASED' THEN (
         SELECT json_agg(json_build_object('sku', l."data"->>'sku', 'quantity', l."data"->>'quantity') ORDER BY (l."data"->>'lineNumber')::int)
         FROM "SourceRow" l WHERE l."source" = 'erp' AND l."tableName" = 'SalesOrderLine' AND NOT l."deleted" AND l."data"->>'orderId' = o."sourceId") END AS "lines",
       (SELECT COUNT(*)::int FROM "SourceRow" i WHERE i."source" = 'erp' AND i."tableName" = 'Invoice' AND NOT i."deleted" AND i."data"->>'orderId' = o."sourceId") AS invoices,
       (SELECT array_agg(f."data"->>'status') FROM "SourceRow" f WHERE f."source" = 'wms' AND f."tableName" = 'FulfillmentOrder' AND NOT f."deleted" AND f."data"->>'orderNumber' = k.num) AS fulfillments,
       (SELECT array_agg(s."data"->>'status') FROM "SourceRow" s WHERE s."source" = 'wms' AND s."tableName" = 'Shipment' AND NOT s."deleted" AND s."data"->>'orderNumber' = k.num) AS shipments,
       v."stage" AS "previousStage", v."erpStatus" AS "previousErpStatus", v."customerNumber" AS "previousCustomerNumber",
       v."sourceCommittedAt" AS "previousCommittedAt"
     FROM k
     LEFT JOIN LATERAL (
       SELECT o."sourceId", o."data" FROM "SourceRow" o
       WHERE o."source" = 'erp' AND o."tableName" = 'SalesOrder' AND NOT o."deleted" AND o."data"->>'orderNumber' = k.num LIMIT 1) o ON true
     LEFT JOIN "OrderStatusView" v ON v."orderNumber" = k.num`,
    [keys.map((k) => k.orderNumber), keys.map((k) => k.committedAt.toISOString())],
  );
  const changed = facts
    .map((f) => ({
      ...f,
      stage: deriveOrderStage({
        erpStatus: f.erpStatus,
        invoiced: f.invoices > 0,
        fulfillmentStatuses: f.fulfillments ?? [],
        shipmentStatuses: f.shipments ?? [],
      }),
    }))
    // The row also carries the ERP status and customer: an ERP status change that leaves the
    // stage as it was (an order already DELIVERED going INVOICED -> CLOSED) must still land.
    .filter(
      (f) => f.stage !== f.previousStage || f.erpStatus !== f.previousErpStatus || (f.customerNumber !== null && f.customerNumber !== f.previousCustomerNumber),
    );
  // The changed rows upserted, and every other touched order's lastEventAt moved, in one
  // statement: the two sets are disjoint, so no row is modified twice.
  const changedNumbers = new Set(changed.map((c) => c.orderNumber));
  const untouched = keys.filter((k) => !changedNumbers.has(k.orderNumber));
  await session.query(
    `WITH upserted AS (
       INSERT INTO "OrderStatusView" ("orderNumber", "customerNumber", "stage", "erpStatus", "lastEventAt", "sourceCommittedAt", "updatedAt")
       SELECT num, cust, stage, erp, ts, ts, now() FROM jsonb_to_recordset($1::jsonb) AS x(num text, cust text, stage text, erp text, ts timestamptz)
       ON CONFLICT ("orderNumber") DO UPDATE SET "customerNumber" = COALESCE(excluded."customerNumber", "OrderStatusView"."customerNumber"),
         "stage" = excluded."stage", "erpStatus" = excluded."erpStatus", "lastEventAt" = excluded."lastEventAt",
         "sourceCommittedAt" = excluded."sourceCommittedAt", "updatedAt" = excluded."updatedAt"
       RETURNING 1),
     touched AS (
       UPDATE "OrderStatusView" v SET "lastEventAt" = GREATEST(v."lastEventAt", x.ts), "updatedAt" = now()
       FROM unnest($2::text[], $3::timestamptz[]) AS x(num, ts) WHERE v."orderNumber" = x.num
       RETURNING 1)
     SELECT (SELECT count(*) FROM upserted) + (SELECT count(*) FROM touched) AS n`,
    [
      JSON.stringify(
        changed.map((c) => ({ num: c.orderNumber, cust: c.customerNumber, stage: c.stage, erp: c.erpStatus, ts: new Date(c.committedAt).toISOString() })),
      ),
      untouched.map((k) => k.orderNumber),
      untouched.map((k) => k.committedAt.toISOString()),
    ],
  );
  // The feed's OrderStatus events are stage transitions (previousStage -> stage); only those. A
  // release carries the order's warehouse and lines, which is all its fulfilment needs to know.
  return changed
    .filter((c) => c.stage !== c.previousStage)
    .map((c) => ({
      entityType: "OrderStatus",
      entityKey: c.orderNumber,
      changeKind: c.previousStage === null ? "CREATED" : "UPDATED",
      occurredAt: new Date(c.committedAt),
      payload: {
        orderNumber: c.orderNumber,
        customerNumber: c.customerNumber,
        stage: c.stage,
        previousStage: c.previousStage,
        erpStatus: c.erpStatus,
        ...(c.stage === "RELEASED" && c.lines ? { warehouseCode: c.warehouseCode, lines: c.lines } : {}),
      },
    }));
}
