// Case work: assign (owner), start (OPEN -> IN_PROGRESS) and escalate (priority up, the case to
// the escalation desk, a fresh SLA clock). Each decides its change here and leaves loading,
// refusals, the timeline entry and the audit entry to changeCase; each is safe to retry.
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { Case } from "../__generated__/prisma/client.js";
import { raisedPriority, slaDueAt } from "../caseSla.js";
import type { CrmContext } from "../context.js";
import { changeCase } from "./changeCase.js";
import { LIMITS, optionalText, requiredText } from "./inputRules.js";

interface CaseWorkArgs {
  caseNumber: string;
  idempotencyKey?: string | null;
}

function keyed(args: CaseWorkArgs, request: Record<string, unknown>) {
  const key = optionalText(args.idempotencyKey, "idempotencyKey", LIMITS.externalKey);
  return key === null ? null : { key, request };
}

/** Hands the case to `owner`; the same owner again changes nothing. */
export function assignCase(ctx: CrmContext, args: CaseWorkArgs & { owner: string }): Promise<Case> {
  const caseNumber = requiredText(args.caseNumber, "caseNumber", LIMITS.key);
  const owner = requiredText(args.owner, "owner", LIMITS.owner);
  return changeCase(ctx, {
    caseNumber,
    operation: "assignCase",
    idempotency: keyed(args, { caseNumber, owner }),
    decide: (existing) =>
      existing.owner === owner
        ? null
        : {
            data: { owner },
            timeline: { kind: "CASE_ASSIGNED", summary: `Case ${caseNumber} assigned to ${owner}` },
            detail: { previousOwner: existing.owner, owner },
          },
  });
}

/** OPEN -> IN_PROGRESS; a case nobody owns yet becomes the starter's. Starting a started case changes nothing. */
export function startCase(ctx: CrmContext, args: CaseWorkArgs): Promise<Case> {
  const caseNumber = requiredText(args.caseNumber, "caseNumber", LIMITS.key);
  return changeCase(ctx, {
    caseNumber,
    operation: "startCase",
    idempotency: keyed(args, { caseNumber }),
    decide: (existing, now) => {
      if (existing.status === "IN_PROGRESS") return null;
      const owner = existing.owner ?? ctx.principal.subject;
      return {
        data: { status: "IN_PROGRESS", startedAt: now, owner },
        timeline: { kind: "CASE_STARTED", summary: `Case ${caseNumber} in progress (${owner})` },
        detail: { previousStatus: existing.status, owner },
      };
    },
  });
}

/**
 * Raises the priority one step (URGENT stays URGENT), hands the case to the escalation desk and
 * restarts the SLA clock for the new priority. Not idempotent by nature: a retry must carry the
 * same idempotencyKey (the flows' SLA watch always does).
 */
export function escalateCase(ctx: CrmContext, args: CaseWorkArgs & { reason: string }): Promise<Case> {
  const caseNumber = requiredText(args.caseNumber, "caseNumber", LIMITS.key);
  const reason = requiredText(args.reason, "reason", LIMITS.resolution);
  const owner = ctx.caseWork.escalationOwner;
  if (owner.length > LIMITS.owner) throw crossdockError(ErrorCode.INTERNAL_SERVER_ERROR, "The escalation owner is misconfigured");
  return changeCase(ctx, {
    caseNumber,
    operation: "escalateCase",
    idempotency: keyed(args, { caseNumber, reason }),
    decide: (existing, now) => {
      const priority = raisedPriority(existing.priority);
      const level = existing.escalationLevel + 1;
      return {
        data: { priority, owner, escalationLevel: level, escalatedAt: now, slaDueAt: slaDueAt(ctx.caseWork, priority, now) },
        timeline: { kind: "CASE_ESCALATED", summary: `Case ${caseNumber} escalated (${existing.priority} -> ${priority}, to ${owner}): ${reason}` },
        detail: { previousPriority: existing.priority, priority, previousOwner: existing.owner, owner, escalationLevel: level, reason },
      };
    },
  });
}
