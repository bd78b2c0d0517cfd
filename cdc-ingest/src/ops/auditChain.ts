// The audit log's hash chains, verified: every row's hash is recomputed here, in TypeScript, from
// its contents and the previous row's hash, and every row must link to the one before it. Two
// chains: the hub's merged "AuditLog" (migration 0012_audit_chain) and the flows' operator actions
// in "FlowAuditEntry" (flows migration 0003_audit_chain, system flows); the database builds them,
// this check does not trust its hashing. Used by `crossdock audit verify`, the graph's
// auditIntegrity and the metric crossdock_audit_chain_broken (incrementally, from the last entries
// it verified).
import { createHash } from "node:crypto";
import { requireScopes, Scope, type Principal, type SqlSession } from "@crossdock/platform";

/** The encoding's version tag; the migration's "AuditLog_chain_hash" starts with the same text. */
const CHAIN_TAG = "crossdock-audit-v1";
const PAGE = 1000;

/** A row as the check reads it: "at" as microseconds since the epoch and detail as jsonb's text, exactly what was hashed. */
interface ChainedRow {
  id: string;
  prevHash: string | null;
  hash: string | null;
  system: string;
  sourceId: string | null;
  atMicros: string;
  subject: string;
  subjectKind: string;
  requestId: string;
  operation: string;
  entityType: string;
  entityKey: string;
  detail: string | null;
}

/** A chained table, and how its rows name their system and source id (the flows' rows have neither column). */
export interface AuditChainTable {
  name: "hub" | "flows";
  table: string;
  system: string;
  sourceId: string;
}

export const HUB_AUDIT_CHAIN: AuditChainTable = { name: "hub", table: "AuditLog", system: `"system"`, sourceId: `"sourceId"` };
export const FLOWS_AUDIT_CHAIN: AuditChainTable = { name: "flows", table: "FlowAuditEntry", system: `'flows'::text`, sourceId: `NULL::text` };

function rowColumns(chain: AuditChainTable): string {
  return `"${chain.table}"."id"::text AS "id", "prevHash", "hash", ${chain.system} AS "system", ${chain.sourceId} AS "sourceId",
  ((extract(epoch FROM "at") * 1000000)::bigint)::text AS "atMicros",
  "subject", "subjectKind", "requestId", "operation", "entityType", "entityKey", "detail"::text AS "detail"`;
}

/** The chained tables this database holds (the flows' once the flows have migrated it to 0003_audit_chain). */
export async function auditChainsIn(hub: SqlSession): Promise<AuditChainTable[]> {
  const rows = await hub.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'hash' AND table_name = ANY($1::text[])`,
    [[HUB_AUDIT_CHAIN.table, FLOWS_AUDIT_CHAIN.table]],
  );
  const present = new Set(rows.map((row) => row.table_name));
  return [HUB_AUDIT_CHAIN, FLOWS_AUDIT_CHAIN].filter((chain) => present.has(chain.table));
}

export interface AuditChainProblem {
  /** The entry's id in "AuditLog". */
  entryId: string;
  system: string;
  reason: string;
}

export interface AuditChainLink {
  entryId: string;
  hash: string;
}

export interface AuditChainReport {
  /** Entries whose hash and link verified. */
  verifiedEntries: number;
  /** Every problem in id order; the first is the first broken entry. */
  problems: AuditChainProblem[];
  /** The last entry looked at, to continue from (null: the log is empty). */
  last: AuditChainLink | null;
  checkedAt: Date;
}

function field(value: string | null): string {
  return value === null ? "-" : `${Buffer.byteLength(value, "utf8")}:${value}`;
}

/** The hash an entry must carry, given the hash of the entry before it (null for the first). */
export function auditEntryHash(previousHash: string | null, row: Omit<ChainedRow, "id" | "prevHash" | "hash">): string {
  const text =
    CHAIN_TAG +
    [
      previousHash,
      row.system,
      row.sourceId,
      row.atMicros,
      row.subject,
      row.subjectKind,
      row.requestId,
      row.operation,
      row.entityType,
      row.entityKey,
      row.detail,
    ]
      .map(field)
      .join("");
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** What is wrong with one entry, given the stored hash of the entry before it (undefined: it is the first), or null. */
function rowProblem(row: ChainedRow, before: AuditChainLink | undefined): string | null {
  if (row.hash === null) return "has no hash: it was written while the chain trigger was off";
  if (before === undefined && row.prevHash !== null) return "is the first entry but links to an earlier one: entries before it were removed";
  if (before !== undefined && row.prevHash !== before.hash) {
    return `does not link to entry ${before.entryId} before it: an entry between them was removed or entry ${before.entryId} was rewritten`;
  }
  if (auditEntryHash(row.prevHash, row) !== row.hash) return "does not match its hash: its contents were changed";
  return null;
}

/**
 * Verifies the chain from the start, or from `from` (an entry verified earlier, which must still
 * be there unchanged), page by page in id order. Reads only; stops after `maxProblems` problems.
 */
export async function verifyAuditChain(
  hub: SqlSession,
  options: { chain?: AuditChainTable; from?: AuditChainLink | null; maxProblems?: number } = {},
): Promise<AuditChainReport> {
  const chain = options.chain ?? HUB_AUDIT_CHAIN;
  const columns = rowColumns(chain);
  const maxProblems = options.maxProblems ?? 100;
  const problems: AuditChainProblem[] = [];
  let verifiedEntries = 0;
  let before: AuditChainLink | undefined;
  let afterId = "0";
  if (options.from) {
    const [anchor] = await hub.query<ChainedRow>(`SELECT ${columns} FROM "${chain.table}" WHERE "${chain.table}"."id" = $1::bigint`, [options.from.entryId]);
    if (!anchor || anchor.hash !== options.from.hash || auditEntryHash(anchor.prevHash, anchor) !== anchor.hash) {
      const reason = anchor ? "was changed after it was verified" : "was verified earlier and has been removed";
      return {
        verifiedEntries: 0,
        problems: [{ entryId: options.from.entryId, system: anchor?.system ?? "", reason }],
        last: options.from,
        checkedAt: new Date(),
      };
    }
    before = options.from;
    afterId = options.from.entryId;
  }
  for (;;) {
    const rows = await hub.query<ChainedRow>(
      `SELECT ${columns} FROM "${chain.table}" WHERE "${chain.table}"."id" > $1::bigint ORDER BY "${chain.table}"."id" LIMIT ${PAGE}`,
      [afterId],
    );
    for (const row of rows) {
      const problem = rowProblem(row, before);
      if (problem === null) verifiedEntries++;
      else if (problems.push({ entryId: row.id, system: row.system, reason: `entry ${row.id} (${row.system}) ${problem}` }) >= maxProblems) {
        return { verifiedEntries, problems, last: { entryId: row.id, hash: row.hash ?? "" }, checkedAt: new Date() };
      }
      before = { entryId: row.id, hash: row.hash ?? "" };
    }
    if (rows.length < PAGE) break;
    afterId = rows.at(-1)!.id;
  }
  return { verifiedEntries, problems, last: before ?? null, checkedAt: new Date() };
}

/** Both chains (those this database holds), the hub's first: what `crossdock audit verify` and auditIntegrity report. */
export async function verifyAuditLog(hub: SqlSession, options: { maxProblems?: number } = {}): Promise<Omit<AuditChainReport, "last">> {
  let verifiedEntries = 0;
  const problems: AuditChainProblem[] = [];
  for (const chain of await auditChainsIn(hub)) {
    const report = await verifyAuditChain(hub, { chain, maxProblems: options.maxProblems });
    verifiedEntries += report.verifiedEntries;
    problems.push(...report.problems);
  }
  return { verifiedEntries, problems, checkedAt: new Date() };
}

/**
 * The metric's view: verifies only what was added since the last check (the last verified entry
 * must still be there unchanged). Once broken it stays broken until the process restarts, so an
 * alert does not clear itself when the entries after the break verify.
 */
export class AuditChainMonitor {
  private readonly last = new Map<AuditChainTable["name"], AuditChainLink | null>();
  private brokenAt: AuditChainProblem | null = null;
  private running: Promise<boolean> | null = null;

  constructor(private readonly hub: SqlSession) {}

  /** Whether the chain is broken (checks what is new first; concurrent calls share one check). */
  isBroken(): Promise<boolean> {
    this.running ??= this.check().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  get firstBrokenEntry(): AuditChainProblem | null {
    return this.brokenAt;
  }

  private async check(): Promise<boolean> {
    if (this.brokenAt) return true;
    for (const chain of await auditChainsIn(this.hub)) {
      const report = await verifyAuditChain(this.hub, { chain, from: this.last.get(chain.name) ?? null, maxProblems: 1 });
      if (report.problems[0]) {
        this.brokenAt = report.problems[0];
        return true;
      }
      this.last.set(chain.name, report.last);
    }
    return false;
  }
}

/** What the graph's auditIntegrity answers. */
export interface AuditIntegrity {
  verifiedEntries: number;
  brokenEntries: number;
  firstBrokenEntry: { id: string; system: string; reason: string } | null;
  checkedAt: Date;
}

/**
 * The graph's auditIntegrity: the whole log verified (both chains, from their first entry, so an
 * old entry rewritten shows). A full pass reads every entry, so callers share it: a pass in flight
 * answers everyone who asks meanwhile, and one that ended less than `reuseMs` ago is answered
 * again (its checkedAt says when it ran). However many auditors poll, the hub database sees at
 * most one pass per `reuseMs`.
 */
export class AuditIntegrityCheck {
  private running: Promise<AuditIntegrity> | null = null;
  private latest: AuditIntegrity | null = null;

  constructor(
    private readonly hub: SqlSession,
    private readonly reuseMs = 5000,
  ) {}

  /** Needs audit:read (checked here as well as by the schema). */
  async read(principal: Principal): Promise<AuditIntegrity> {
    requireScopes(principal, [[Scope.AUDIT_READ]], "auditIntegrity");
    if (this.latest && Date.now() - this.latest.checkedAt.getTime() < this.reuseMs) return this.latest;
    this.running ??= this.verify().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async verify(): Promise<AuditIntegrity> {
    const report = await verifyAuditLog(this.hub, { maxProblems: 1000 });
    const first = report.problems[0];
    this.latest = {
      verifiedEntries: report.verifiedEntries,
      brokenEntries: report.problems.length,
      firstBrokenEntry: first ? { id: first.entryId, system: first.system, reason: first.reason } : null,
      checkedAt: report.checkedAt,
    };
    return this.latest;
  }
}
