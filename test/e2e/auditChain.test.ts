// The audit log's hash chain on the whole hub (PGlite, and Postgres when available), through the
// gateway: a write's captured audit entry extends the chain, auditIntegrity (audit:read) says the
// chain holds and crossdock_audit_chain_broken is 0; a caller without audit:read is refused and
// nothing changes. On Postgres, an attacker owning the hub's table (a second connection as the
// owner) drops the append-only trigger and rewrites an entry: auditIntegrity names that entry and
// the metric turns 1.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, graphqlData } from "../src/index.js";
import { BACKENDS, backendAvailable, eventually, startTestHub, type TestHub } from "./hubHarness.js";

const INTEGRITY = `{ auditIntegrity { verifiedEntries brokenEntries checkedAt firstBrokenEntry { id system reason } } }`;

interface Integrity {
  verifiedEntries: number;
  brokenEntries: number;
  checkedAt: string;
  firstBrokenEntry: { id: string; system: string; reason: string } | null;
}

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`the audit chain (${backend})`, () => {
    let t: TestHub;
    let auditorToken: string;
    let readerToken: string;
    let financeToken: string;
    const run = randomUUID().slice(0, 8);

    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const integrity = (token = auditorToken) => graphql<{ auditIntegrity: Integrity }>(t.url, INTEGRITY, {}, as(token));
    const chainMetric = async () => {
      const text = await (await fetch(t.hub.subgraphUrls.ops.replace(/\/graphql$/, "/metrics"))).text();
      return /^crossdock_audit_chain_broken(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
    };

    beforeAll(async () => {
      t = await startTestHub(backend);
      const identity = t.hub.identity!;
      auditorToken = await identity.issueToken({ subject: `audrey-${run}`, scopes: ["audit:read"] });
      readerToken = await identity.issueToken({ subject: `ann-${run}`, scopes: ["orders:read", "ops:admin"] });
      financeToken = await identity.issueToken({ subject: `fiona-${run}`, scopes: ["finance:write", "finance:read", "customers:read"] });
    });
    afterAll(async () => t?.stop());

    it("extends the chain with each captured write, and says the chain holds", async () => {
      const before = await integrity();
      expect(before.errors).toBeUndefined();
      expect(before.data!.auditIntegrity.firstBrokenEntry).toBeNull();
      const { customers } = await graphqlData<{ customers: { edges: { node: { customerNumber: string } }[] } }>(
        t.url,
        `{ customers(status: ACTIVE, first: 1) { edges { node { customerNumber } } } }`,
        {},
        as(financeToken),
      );
      const written = await graphql(
        t.url,
        `
          mutation ($c: ID!) {
            setCreditLimit(customerNumber: $c, creditLimit: "424242.00") {
              creditLimit
            }
          }
        `,
        { c: customers.edges[0]!.node.customerNumber },
        as(financeToken),
      );
      expect(written.errors).toBeUndefined();
      await t.hub.drainCapture();
      const after = await eventually(
        () => integrity(),
        (answer) => (answer.data?.auditIntegrity.verifiedEntries ?? 0) > before.data!.auditIntegrity.verifiedEntries,
        // A pass is answered again for 5 s (AuditIntegrityCheck): the next one sees the write.
        10_000,
      );
      expect(after.data!.auditIntegrity).toMatchObject({ brokenEntries: 0, firstBrokenEntry: null });
      expect(after.data!.auditIntegrity.verifiedEntries).toBe(before.data!.auditIntegrity.verifiedEntries + 1);
      expect(await chainMetric()).toBe("0");
    });

    it("refuses auditIntegrity to a caller without audit:read, and nothing changes", async () => {
      const before = (await integrity()).data!.auditIntegrity;
      const refused = await integrity(readerToken);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
      expect(refused.data ?? null).toBeNull();
      const after = (await integrity()).data!.auditIntegrity;
      expect({ ...after, checkedAt: "" }).toEqual({ ...before, checkedAt: "" });
    });

    // Needs a second connection to the hub database as its owner: Postgres only (the PGlite half
    // of the same check is cdc-ingest/tests/auditChain.test.ts).
    if (backend === "postgres")
      it("names the entry an owner rewrote with the trigger dropped, and the metric turns 1", async () => {
        const owner = new pg.Client({ connectionString: t.databaseUrls!.hub });
        await owner.connect();
        try {
          const { rows } = await owner.query<{ id: string; system: string }>(
            `SELECT "id"::text AS id, "system" FROM "AuditLog" WHERE "subject" = $1 ORDER BY "AuditLog"."id" LIMIT 1`,
            [`fiona-${run}`],
          );
          const target = rows[0]!;
          await owner.query(`DROP TRIGGER "AuditLog_append_only" ON "AuditLog"`);
          await owner.query(`UPDATE "AuditLog" SET "subject" = 'someone-else' WHERE "id" = $1::bigint`, [target.id]);
          // A full pass that ended moments ago is answered again for a few seconds: wait for one after the change.
          const answer = (
            await eventually(
              () => integrity(),
              (a) => a.data?.auditIntegrity.firstBrokenEntry != null,
              10_000,
            )
          ).data!.auditIntegrity;
          expect(answer.firstBrokenEntry).toEqual({
            id: target.id,
            system: target.system,
            reason: `entry ${target.id} (erp) does not match its hash: its contents were changed`,
          });
          expect(answer.brokenEntries).toBe(1);
          expect(await chainMetric()).toBe("1");
        } finally {
          await owner.end();
        }
      });
  });
}
