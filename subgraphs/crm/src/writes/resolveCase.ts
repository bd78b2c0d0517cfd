// resolveCase: closes a case with its resolution and writes the CASE_RESOLVED timeline entry and
// the audit entry in one transaction. Resolving a resolved case changes nothing and returns it
// as it is, so a retried call can never add a second timeline entry.
import { requireOwnCustomerObject, runWrite } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { Case } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { actorOf, crmWrites } from "./transaction.js";
import { LIMITS, requiredText } from "./inputRules.js";

export async function resolveCase(ctx: CrmContext, args: { caseNumber: string; resolution: string }): Promise<Case> {
  const caseNumber = args.caseNumber.trim();
  const resolution = requiredText(args.resolution, "resolution", LIMITS.resolution);

  const { written } = await runWrite(crmWrites(ctx), {
    actor: actorOf(ctx),
    operation: "resolveCase",
    decide: async (tx) => {
      const existing = await tx.case.findUnique({ where: { caseNumber } });
      const unknown = () => crossdockError(ErrorCode.UNKNOWN_CASE, `No case ${caseNumber}`, { field: "caseNumber" });
      if (!existing) throw unknown();
      requireOwnCustomerObject(ctx.principal, existing.customerNumber, unknown);
      if (existing.status === "RESOLVED") return { result: null, audit: null, written: existing };
      const resolvedAt = new Date();
      // Conditional on the status, so two concurrent resolutions on Postgres cannot both win.
      const { count } = await tx.case.updateMany({
        where: { caseNumber, status: { not: "RESOLVED" } },
        // The SLA clock stops: nothing is due on a resolved case.
        data: { status: "RESOLVED", resolvedAt, resolution, slaDueAt: null },
      });
      const current = await tx.case.findUniqueOrThrow({ where: { caseNumber } });
      if (count === 0) return { result: null, audit: null, written: current };
      await tx.timelineEntry.create({
        data: {
          accountId: current.accountId,
          customerNumber: current.customerNumber,
          orderNumber: current.orderNumber,
          kind: "CASE_RESOLVED",
          summary: `Case ${caseNumber} resolved: ${resolution}`,
          occurredAt: resolvedAt,
          source: "crm",
          externalKey: `case:${caseNumber}:resolved`,
          caseNumber,
        },
      });
      return {
        result: null,
        audit: { entityType: "Case", entityKey: caseNumber, detail: { previousStatus: existing.status, resolution } },
        written: current,
      };
    },
  });
  return written!;
}
