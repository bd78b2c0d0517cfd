// Schema change checks: what changed between the released API schema and the one composed now,
// sorted by what it does to clients (graphql-inspector's criticality), and whether every
// breaking change was approved with a reason. Pure: reading and writing files is the CLI's job.
import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

/** A breaking change a person decided to ship anyway, and why (schema/released/approved-changes.json). */
export interface ApprovedChange {
  /** `<CHANGE_TYPE> <path>`, as `schema:check` prints it, e.g. `FIELD_REMOVED Order.legacyCode`. */
  change: string;
  reason: string;
}

export interface SchemaChange {
  id: string;
  message: string;
  level: "BREAKING" | "DANGEROUS" | "SAFE";
  reason?: string;
}

export interface SchemaChangeReport {
  breaking: SchemaChange[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
  /** Breaking changes without an approval: any of these fails the check. */
  unapproved: SchemaChange[];
  /** Approvals that match no change (stale, or a typo): reported so they do not linger. */
  unusedApprovals: ApprovedChange[];
}

const LEVELS: Record<CriticalityLevel, SchemaChange["level"]> = {
  [CriticalityLevel.Breaking]: "BREAKING",
  [CriticalityLevel.Dangerous]: "DANGEROUS",
  [CriticalityLevel.NonBreaking]: "SAFE",
};

function describe(change: Change): SchemaChange {
  return {
    id: `${change.type} ${change.path ?? ""}`.trim(),
    message: change.message,
    level: LEVELS[change.criticality.level],
    ...(change.criticality.reason ? { reason: change.criticality.reason } : {}),
  };
}

export async function compareApiSchemas(options: { released: string; next: string; approvals?: readonly ApprovedChange[] }): Promise<SchemaChangeReport> {
  const changes = (await diff(buildSchema(options.released), buildSchema(options.next))).map(describe);
  const approvals = options.approvals ?? [];
  const approved = new Set(approvals.map((approval) => approval.change));
  const breaking = changes.filter((change) => change.level === "BREAKING");
  return {
    breaking,
    dangerous: changes.filter((change) => change.level === "DANGEROUS"),
    safe: changes.filter((change) => change.level === "SAFE"),
    unapproved: breaking.filter((change) => !approved.has(change.id)),
    unusedApprovals: approvals.filter((approval) => !breaking.some((change) => change.id === approval.change)),
  };
}

/** Reads the approvals file's content; refuses entries without a change or a reason. */
export function parseApprovals(text: string): ApprovedChange[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error("approved changes must be a JSON array of { change, reason }");
  return value.map((entry, index) => {
    const { change, reason } = (entry ?? {}) as Partial<ApprovedChange>;
    if (typeof change !== "string" || change.trim() === "") throw new Error(`approved change ${index}: "change" is missing`);
    if (typeof reason !== "string" || reason.trim() === "") throw new Error(`approved change ${index} (${change}): a reason is required`);
    return { change, reason };
  });
}

/** The changelog section a release appends. */
export function changelogEntry(report: SchemaChangeReport, approvals: readonly ApprovedChange[], releasedAt: Date): string {
  const reasonOf = new Map(approvals.map((approval) => [approval.change, approval.reason]));
  const lines = [`## ${releasedAt.toISOString().slice(0, 10)}`, ""];
  const section = (title: string, changes: SchemaChange[], withReason = false) => {
    if (changes.length === 0) return;
    lines.push(`### ${title}`, "");
    for (const change of changes) lines.push(`- ${change.message}${withReason && reasonOf.has(change.id) ? ` (approved: ${reasonOf.get(change.id)})` : ""}`);
    lines.push("");
  };
  section("Breaking", report.breaking, true);
  section("Dangerous", report.dangerous);
  section("Added and other safe changes", report.safe);
  if (report.breaking.length + report.dangerous.length + report.safe.length === 0) lines.push("No change to the API schema.", "");
  return lines.join("\n");
}
