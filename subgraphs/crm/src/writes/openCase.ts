// openCase: the CRM's one way to open a service case on a customer's account. One transaction
// writes the case, its CASE_OPENED timeline entry and the audit entry; with an idempotencyKey a
// retry returns the first case. It never checks the order number against the ERP (it cannot).
import { requireCustomerAccess, runWrite } from "@crossdock/platform";
import { crossdockError, ErrorCode } from "@crossdock/schema";
import type { Case, CasePriority } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { slaDueAt } from "../caseSla.js";
import { nextCaseNumber } from "./caseNumbers.js";
import { actorOf, crmWrites } from "./transaction.js";
import { LIMITS, optionalText, requiredText } from "./inputRules.js";

export interface OpenCaseInput {
  customerNumber: string;
  orderNumber?: string | null;
  subject: string;
  priority: CasePriority;
  description?: string | null;
  idempotencyKey?: string | null;
}

export async function openCase(ctx: CrmContext, input: OpenCaseInput): Promise<Case> {
  // The fingerprint of the request is its normalized content, so a retry that differs only in
  // surrounding whitespace is still the same request.
  const request = {
    customerNumber: requiredText(input.customerNumber, "customerNumber", LIMITS.key),
    orderNumber: optionalText(input.orderNumber, "orderNumber", LIMITS.key),
    subject: requiredText(input.subject, "subject", LIMITS.subject),
    priority: input.priority,
    description: optionalText(input.description, "description", LIMITS.description),
  };
  const idempotencyKey = input.idempotencyKey ?? null;

  const { result, written } = await runWrite(crmWrites(ctx), {
    actor: actorOf(ctx),
    operation: "openCase",
    idempotency: idempotencyKey === null ? null : { key: idempotencyKey, request },
    decide: async (tx) => {
      // A partner opens cases for its own customer only.
      requireCustomerAccess(ctx.principal, request.customerNumber);
      const account = await tx.account.findUnique({ where: { customerNumber: request.customerNumber } });
      if (!account) {
        throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `The CRM has no account for customer ${request.customerNumber}`, { field: "customerNumber" });
      }
      const caseNumber = await nextCaseNumber(tx);
      const openedAt = new Date();
      const row = await tx.case.create({
        data: { ...request, caseNumber, accountId: account.accountId, status: "OPEN", openedAt, slaDueAt: slaDueAt(ctx.caseWork, request.priority, openedAt) },
      });
      await tx.timelineEntry.create({
        data: {
          accountId: account.accountId,
          customerNumber: account.customerNumber,
          orderNumber: request.orderNumber,
          kind: "CASE_OPENED",
          summary: `Case ${caseNumber} opened (${request.priority}): ${request.subject}`,
          occurredAt: openedAt,
          source: "crm",
          externalKey: `case:${caseNumber}:opened`,
          caseNumber,
        },
      });
      return { result: { caseNumber }, audit: { entityType: "Case", entityKey: caseNumber, detail: { ...request, idempotencyKey } }, written: row };
    },
  });
  // A replay reads the case the key points at.
  return written ?? ctx.prisma.case.findUniqueOrThrow({ where: { caseNumber: result.caseNumber } });
}
