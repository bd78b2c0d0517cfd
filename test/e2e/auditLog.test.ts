// The audit log end to end on the whole hub (PGlite, and Postgres with logical replication when
// available): writes made in the ERP, CRM and WMS as different verified callers reach the ops read
// model through change-data-capture, and auditLog answers who did what, newest first, filtered by
// subject, entity or system, for a caller with audit:read only. Subgraphs are called as the
// gateway calls them (signed principal header), so this suite does not depend on gateway tokens.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@crossdock/platform";
import { graphql, graphqlData, principalHeaders } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, startTestHub, type TestHub } from "./hubHarness.js";

const AUDIT = `query($first: Int, $after: String, $subject: String, $entityKey: ID, $system: String) {
  auditLog(first: $first, after: $after, subject: $subject, entityKey: $entityKey, system: $system) {
    edges { cursor node { at system subject subjectKind operation entityType entityKey requestId } }
    pageInfo { hasNextPage endCursor } } }`;

interface AuditNode {
  at: string;
  system: string;
  subject: string;
  subjectKind: string;
  operation: string;
  entityType: string;
  entityKey: string;
  requestId: string | null;
}

const auditor: Principal = { kind: "user", subject: "audrey", scopes: ["audit:read"] };

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`auditLog (${backend})`, () => {
    let t: TestHub;
    const run = randomUUID().slice(0, 8);
    const finance: Principal = { kind: "user", subject: `fiona-${run}`, scopes: ["finance:write", "finance:read", "customers:read"] };
    const desk: Principal = { kind: "partner", subject: `acme-${run}`, scopes: ["cases:write", "cases:read"], customerNumber: "" };
    const warehouse: Principal = { kind: "service", subject: `scanner-${run}`, scopes: ["warehouse:write", "inventory:read"] };
    let customerNumber: string;
    let stock: { sku: string; warehouseCode: string };

    const call = (url: string, principal: Principal, query: string, variables: Record<string, unknown>, requestId: string) =>
      graphql(url, query, variables, { ...principalHeaders(principal), "x-request-id": requestId });
    const auditLog = async (variables: Record<string, unknown>, principal: Principal = auditor) =>
      graphql<{ auditLog: { edges: { cursor: string; node: AuditNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        t.hub.subgraphUrls.ops,
        AUDIT,
        variables,
        principalHeaders(principal),
      );

    beforeAll(async () => {
      t = await startTestHub(backend);
      const data = await graphqlData<{ customers: { edges: { node: { customerNumber: string } }[] }; inventoryPositions: { edges: { node: any }[] } }>(
        t.url,
        `{ customers(status: ACTIVE, first: 5) { edges { node { customerNumber } } } inventoryPositions(first: 5) { edges { node { sku warehouseCode } } } }`,
      );
      customerNumber = data.customers.edges[0]!.node.customerNumber;
      stock = data.inventoryPositions.edges[0]!.node;
      desk.customerNumber = customerNumber;
    });
    afterAll(async () => t?.stop());

    it("collects every system's writes with the verified subject, its kind and the request id", async () => {
      const limit = await call(
        t.hub.subgraphUrls.erp,
        finance,
        `mutation($c: ID!) { setCreditLimit(customerNumber: $c, creditLimit: "123456.00") { creditLimit } }`,
        { c: customerNumber },
        `req-erp-${run}`,
      );
      expect(limit.errors).toBeUndefined();
      const opened = await call(
        t.hub.subgraphUrls.crm,
        desk,
        `mutation($input: OpenCaseInput!) { openCase(input: $input) { caseNumber } }`,
        { input: { customerNumber, subject: "Audit me", priority: "LOW", idempotencyKey: `case-${run}` } },
        `req-crm-${run}`,
      );
      expect(opened.errors).toBeUndefined();
      const caseNumber = (opened.data as { openCase: { caseNumber: string } }).openCase.caseNumber;
      const adjusted = await call(
        t.hub.subgraphUrls.wms,
        warehouse,
        `mutation($input: AdjustInventoryInput!) { adjustInventory(input: $input) { onHand } }`,
        { input: { ...stock, quantityDelta: "1", reason: "cycle count", idempotencyKey: `adj-${run}` } },
        `req-wms-${run}`,
      );
      expect(adjusted.errors).toBeUndefined();

      const mine = (subject: string) => auditLog({ subject }).then((r) => r.data?.auditLog.edges.map((e) => e.node) ?? []);
      const expected: [string, Partial<AuditNode>][] = [
        [
          finance.subject,
          { system: "erp", subjectKind: "user", operation: "setCreditLimit", entityType: "Customer", entityKey: customerNumber, requestId: `req-erp-${run}` },
        ],
        [
          desk.subject,
          { system: "crm", subjectKind: "partner", operation: "openCase", entityType: "Case", entityKey: caseNumber, requestId: `req-crm-${run}` },
        ],
        [
          warehouse.subject,
          {
            system: "wms",
            subjectKind: "service",
            operation: "adjustInventory",
            entityKey: `${stock.sku}@${stock.warehouseCode}`,
            requestId: `req-wms-${run}`,
          },
        ],
      ];
      for (const [subject, entry] of expected) {
        const entries = await eventually(
          () => mine(subject),
          (rows) => rows.length > 0,
          15_000,
        );
        expect(entries).toEqual([expect.objectContaining({ subject, ...entry })]);
      }
      // Filters combine; the newest entry comes first.
      const forCustomer = (await auditLog({ entityKey: customerNumber, system: "erp" })).data!.auditLog.edges.map((e) => e.node);
      expect(forCustomer[0]).toMatchObject({ subject: finance.subject, operation: "setCreditLimit" });
      expect(forCustomer.every((n) => n.system === "erp" && n.entityKey === customerNumber)).toBe(true);
      const ats = forCustomer.map((n) => Date.parse(n.at));
      expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    });

    it("pages without gaps or repeats", async () => {
      const all = (await auditLog({ first: 500 })).data!.auditLog.edges.map((e) => e.cursor);
      const paged: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 500; page++) {
        const response = await auditLog({ first: 2, after });
        paged.push(...response.data!.auditLog.edges.map((e) => e.cursor));
        if (!response.data!.auditLog.pageInfo.hasNextPage) break;
        after = response.data!.auditLog.pageInfo.endCursor;
      }
      expect(paged).toEqual(all);
      expect(all.length).toBeGreaterThanOrEqual(3);
    });

    it("answers nobody without audit:read", async () => {
      const anonymous = await graphql(t.hub.subgraphUrls.ops, AUDIT, {}, {}); // no principal header at all
      expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
      expect(anonymous.data?.auditLog ?? null).toBeNull();
      const forbidden = await auditLog({}, { kind: "user", subject: "ann", scopes: ["orders:read", "ops:admin"] });
      expect(forbidden.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    });
  });
}
