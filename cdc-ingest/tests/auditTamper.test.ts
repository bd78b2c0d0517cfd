// Audit entries are append-only at the source (a trigger refuses UPDATE and DELETE). If someone
// goes around that (drops the trigger, edits the table), capture still sees it: the update or
// delete is parked in the dead-letter queue as AUDIT_TAMPERED, and the merged audit log keeps
// the entry as it was first written.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalHeaders } from "@crossdock/test";
import { JsonlSource, loadConfig, start, type RunningIngest } from "../src/server.js";

const gql = async (url: string, query: string) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...principalHeaders() },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data: any; errors?: unknown[] };
};

function auditChange(op: "c" | "u" | "d", lsn: number, operation: string): string {
  const row = {
    id: "41",
    at: new Date().toISOString(),
    subject: "clerk",
    subjectKind: "user",
    requestId: "r-1",
    operation,
    entityType: "Order",
    entityKey: "SO-1",
  };
  return JSON.stringify({
    op,
    before: op === "c" ? null : row,
    after: op === "d" ? null : row,
    ts_ms: 1_767_607_200_000 + lsn,
    source: {
      connector: "postgresql",
      name: "erp",
      db: "erp",
      schema: "public",
      table: "AuditEntry",
      txId: String(lsn),
      lsn: String(lsn),
      ts_ms: 1_767_607_200_000 + lsn,
      snapshot: "false",
    },
  });
}

describe("audit tampering at a source", () => {
  let dir: string;
  let ingest: RunningIngest;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "crossdock-audit-tamper-"));
    const record = (value: string) => JSON.stringify({ topic: "erp.public.AuditEntry", key: null, value });
    const lines = [
      record(auditChange("c", 10, "setCreditLimit")),
      record(auditChange("u", 11, "nothingToSeeHere")),
      record(auditChange("d", 12, "nothingToSeeHere")),
    ];
    writeFileSync(join(dir, "events.jsonl"), lines.join("\n") + "\n");
    const source = new JsonlSource({ name: "archive", path: join(dir, "events.jsonl") });
    ingest = await start({ ...loadConfig({ LOG_LEVEL: "silent" }), port: 0, hubDatabaseUrl: "pglite:memory", capture: "none" }, { extraSources: [source] });
  });
  afterAll(async () => {
    await ingest?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("parks the update and the delete as AUDIT_TAMPERED and keeps the entry as first written", async () => {
    let letters: { reason: string; error: string }[] = [];
    for (let i = 0; i < 100 && letters.length < 2; i++) {
      const { data } = await gql(ingest.url, `{ deadLetters(source: "erp", first: 10) { edges { node { reason error } } } }`);
      letters = data.deadLetters.edges.map((e: any) => e.node);
      if (letters.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(letters.map((l) => l.reason)).toEqual(["AUDIT_TAMPERED", "AUDIT_TAMPERED"]);
    expect(letters.map((l) => l.error).sort()).toEqual([
      "an audit entry was deleted at the source; audit entries are append-only",
      "an audit entry was updated at the source; audit entries are append-only",
    ]);
    const { data } = await gql(ingest.url, `{ auditLog(system: "erp", first: 10) { edges { node { operation entityKey subject } } } }`);
    expect(data.auditLog.edges.map((e: any) => e.node)).toEqual([{ operation: "setCreditLimit", entityKey: "SO-1", subject: "clerk" }]);
  });
});
