// setReorderPoint against a real WMS: the master-data row it writes (and keeps the safety stock of
// when none is given), the position reference it answers, the seeded demo points, and refusals
// (scope, unknown warehouse or sku, bad quantities) that write nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@crossdock/platform";
import { principalHeaders } from "@crossdock/test";
import type { RunningWms } from "../src/server.js";
import { errorCode, graphqlClient, startTestWms, type GraphQLResponse } from "./support.js";

let wms: RunningWms;
let gql: ReturnType<typeof graphqlClient>;

const SET = `mutation($sku: ID!, $wh: ID!, $rp: Decimal!, $ss: Decimal) {
  setReorderPoint(sku: $sku, warehouseCode: $wh, reorderPoint: $rp, safetyStock: $ss) { sku warehouseCode } }`;

beforeAll(async () => {
  wms = await startTestWms();
  gql = graphqlClient(wms.url);
});
afterAll(async () => wms?.stop());

async function point(sku: string, warehouseCode: string) {
  const [row] = await wms.database.query<{ reorderPoint: string; safetyStock: string }>(
    `SELECT trim_scale("reorderPoint")::text AS "reorderPoint", trim_scale("safetyStock")::text AS "safetyStock" FROM "ReorderPoint" WHERE sku = $1 AND "warehouseCode" = $2`,
    [sku, warehouseCode],
  );
  return row ?? null;
}

async function footprint(): Promise<string> {
  const [row] = await wms.database.query<{ f: string }>(
    `SELECT (SELECT json_agg(r ORDER BY id)::text FROM "ReorderPoint" r) || (SELECT count(*) FROM "AuditEntry")::text AS f`,
  );
  return row!.f;
}

async function stocked(): Promise<{ sku: string; warehouseCode: string }> {
  const [row] = await wms.database.query<{ sku: string; warehouseCode: string }>(`SELECT sku, "warehouseCode" FROM "Stock" ORDER BY id DESC LIMIT 1`);
  return row!;
}

describe("setReorderPoint", () => {
  it("the demo seed gives every stocked position a reorder point, some above their stock", async () => {
    const [row] = await wms.database.query<{ positions: number; points: number; low: number }>(
      `SELECT (SELECT count(DISTINCT (sku, "warehouseCode")) FROM "Stock")::int AS positions, (SELECT count(*) FROM "ReorderPoint")::int AS points,
              (SELECT count(*) FROM "ReorderPoint" r WHERE r."reorderPoint" > (SELECT sum("onHand") FROM "Stock" s WHERE s.sku = r.sku AND s."warehouseCode" = r."warehouseCode"))::int AS low`,
    );
    expect(row!.points).toBe(row!.positions);
    expect(row!.low).toBeGreaterThan(0);
  });

  it("writes the point, keeps the safety stock when none is given, and answers the position reference", async () => {
    const { sku, warehouseCode } = await stocked();
    const set = await gql(SET, { sku, wh: warehouseCode, rp: "40", ss: "6.5" });
    expect(set.data).toEqual({ setReorderPoint: { sku, warehouseCode } });
    expect(await point(sku, warehouseCode)).toEqual({ reorderPoint: "40", safetyStock: "6.5" });
    await gql(SET, { sku, wh: warehouseCode, rp: "25" });
    expect(await point(sku, warehouseCode)).toEqual({ reorderPoint: "25", safetyStock: "6.5" });
    // The same values again: nothing changes, nothing is audited.
    const before = await footprint();
    await gql(SET, { sku, wh: warehouseCode, rp: "25.000" });
    expect(await footprint()).toBe(before);
    const [audit] = await wms.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEntry" WHERE "operation" = 'setReorderPoint' AND "entityKey" = $1`,
      [`${sku}@${warehouseCode}`],
    );
    expect(audit!.n).toBe(2);
  });

  it("refuses unknown warehouses and skus, bad quantities and callers without warehouse:write, writing nothing", async () => {
    const { sku, warehouseCode } = await stocked();
    const before = await footprint();
    expect(errorCode(await gql(SET, { sku, wh: "NOPE", rp: "5" }))).toBe("UNKNOWN_WAREHOUSE");
    expect(errorCode(await gql(SET, { sku: "SKU-NEVER", wh: warehouseCode, rp: "5" }))).toBe("UNKNOWN_SKU");
    expect(errorCode(await gql(SET, { sku, wh: warehouseCode, rp: "-1" }))).toBe("INVALID_QUANTITY");
    expect(errorCode(await gql(SET, { sku, wh: warehouseCode, rp: "5", ss: "0.0001" }))).toBe("INVALID_QUANTITY");
    expect(errorCode(await gql(SET, { sku, wh: warehouseCode, rp: "lots" }))).toBe("INVALID_DECIMAL");
    const reader: Principal = { kind: "user", subject: "analyst", scopes: ["inventory:read"] };
    const response = await fetch(wms.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...principalHeaders(reader) },
      body: JSON.stringify({ query: SET, variables: { sku, wh: warehouseCode, rp: "5" } }),
    });
    expect(errorCode((await response.json()) as GraphQLResponse)).toBe("FORBIDDEN");
    expect(await footprint()).toBe(before);
  });
});
