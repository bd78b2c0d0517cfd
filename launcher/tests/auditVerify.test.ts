// `crossdock audit verify` on a real hub database (PGlite in a directory, as the command opens
// it): an intact log prints one summary line; after its owner changes an entry with the
// append-only trigger off, it prints one line per broken entry and fails naming the first; the
// compiled command line (run from source here) exits 1 with that reason.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openDatabase } from "@crossdock/platform";
import { auditVerify } from "../src/cli/auditVerify.js";

const CLI = fileURLToPath(new URL("../src/cli/cli.ts", import.meta.url));
// The hub's migrations, as `crossdock migrate` applies them (the launcher's tests import no service).
const HUB_MIGRATIONS_DIR = fileURLToPath(new URL("../../cdc-ingest/prisma/migrations", import.meta.url));
let dir: string;
let url: string;

async function withHub(work: (hub: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>) {
  const hub = await openDatabase(url);
  try {
    await work(hub);
  } finally {
    await hub.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crossdock-audit-verify-"));
  url = `pglite:${join(dir, "hub")}`;
  await withHub(async (hub) => {
    await migrate(hub, HUB_MIGRATIONS_DIR);
    for (const subject of ["fiona", "olga", "wes"]) {
      await hub.query(
        `INSERT INTO "AuditLog" ("system", "subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail")
         VALUES ('ops', $1, 'user', 'req-1', 'discardDeadLetter', 'DeadLetter', $1, '{"why": "test"}'::jsonb)`,
        [subject],
      );
    }
  });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("crossdock audit verify", () => {
  it("reports an intact log in one line", async () => {
    const lines: string[] = [];
    await auditVerify(url, (line) => lines.push(line));
    expect(lines).toEqual(["audit log intact: 3 entries verified"]);
  });

  it("prints each broken entry and fails naming the first, with exit 1 from the command", async () => {
    let changed = "";
    await withHub(async (hub) => {
      const [second] = await hub.query<{ id: string }>(`SELECT "id"::text AS id FROM "AuditLog" ORDER BY "AuditLog"."id" OFFSET 1 LIMIT 1`);
      changed = second!.id;
      await hub.exec(`ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only"`);
      await hub.query(`UPDATE "AuditLog" SET "detail" = '{"why": "nothing to see"}'::jsonb WHERE "id" = $1::bigint`, [changed]);
      await hub.exec(`ALTER TABLE "AuditLog" ENABLE TRIGGER "AuditLog_append_only"`);
    });
    const lines: string[] = [];
    await expect(auditVerify(url, (line) => lines.push(line))).rejects.toThrow(
      `audit log hash chain broken: first broken entry ${changed} (ops); 1 entries do not verify, 2 do`,
    );
    expect(lines).toEqual([`broken: entry ${changed} (ops) does not match its hash: its contents were changed`]);

    const run = spawnSync(process.execPath, ["--import", "tsx", CLI, "audit", "verify"], {
      env: { ...process.env, NODE_ENV: "development", HUB_DATABASE_URL: url, LOG_LEVEL: "silent" },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 1,
      stdout: `broken: entry ${changed} (ops) does not match its hash: its contents were changed\n`,
      stderr: `crossdock: audit log hash chain broken: first broken entry ${changed} (ops); 1 entries do not verify, 2 do\n`,
    });
  }, 150_000);
});
