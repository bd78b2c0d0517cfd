// The frame the case-work writes share (assign, start, escalate): find the case, refuse another
// customer's case and a resolved one, let the write decide the change, then update the case, add
// its timeline entry and the audit entry in one transaction. A change that decides "nothing to do"
// writes nothing and returns the case as it is.
import { requireOwnCustomerObject, runWrite } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { Case, Prisma } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { actorOf, crmWrites } from "./transaction.js";

export interface CaseChange {
  data: Prisma.CaseUpdateManyMutationInput;
  timeline: { kind: string; summary: string };
  detail: Record<string, unknown>;
}

export interface ChangeCaseOptions {
  caseNumber: string;
  operation: "assignCase" | "startCase" | "escalateCase";
  idempotency: { key: string; request: unknown } | null;
  /** The change to make to this case at `now`, or null when it is already in the wanted state. */
  decide(existing: Case, now: Date): CaseChange | null;
}

export async function changeCase(ctx: CrmContext, options: ChangeCaseOptions): Promise<Case> {
  const { caseNumber, operation } = options;
  const { result, written } = await runWrite(crmWrites(ctx), {
    actor: actorOf(ctx),
    operation,
    idempotency: options.idempotency,
    decide: async (tx) => {
      const existing = await tx.case.findUnique({ where: { caseNumber } });
      // Another customer's case answers as an unknown one: a partner learns nothing of it.
      const unknown = () => crossdockError(ErrorCode.UNKNOWN_CASE, `No case ${caseNumber}`, { field: "caseNumber" });
      if (!existing) throw unknown();
      requireOwnCustomerObject(ctx.principal, existing.customerNumber, unknown);
      if (existing.status === "RESOLVED") {
        throw crossdockError(ErrorCode.INVALID_STATE, `Case ${caseNumber} is resolved; ${operation} needs an open case`, { field: "caseNumber" });
      }
      const now = new Date();
      const change = options.decide(existing, now);
      if (!change) return { result: { caseNumber }, audit: null, written: existing };
      // Conditional on the row being as read, so a concurrent change on Postgres cannot be overwritten unseen.
      const { count } = await tx.case.updateMany({
        where: { caseNumber, status: existing.status, escalationLevel: existing.escalationLevel, owner: existing.owner },
        data: change.data,
      });
      if (count === 0) throw crossdockError(ErrorCode.INVALID_STATE, `Case ${caseNumber} changed meanwhile; try again`, { field: "caseNumber" });
      const current = await tx.case.findUniqueOrThrow({ where: { caseNumber } });
      await tx.timelineEntry.create({
        data: {
          accountId: current.accountId,
          customerNumber: current.customerNumber,
          orderNumber: current.orderNumber,
          caseNumber,
          kind: change.timeline.kind,
          summary: change.timeline.summary,
          occurredAt: now,
          source: "crm",
        },
      });
      return { result: { caseNumber }, audit: { entityType: "Case", entityKey: caseNumber, detail: change.detail }, written: current };
    },
  });
  // A replay answers the case as it is now.
  return written ?? ctx.prisma.case.findUniqueOrThrow({ where: { caseNumber: result.caseNumber } });
}
