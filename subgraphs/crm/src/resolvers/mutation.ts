// Mutation: the CRM's writes (cases and timeline). Each field only hands its arguments to the
// write in src/writes/, which owns validation, the transaction, idempotency and the audit entry.
import type { Case, TimelineEntry } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";
import { addTimelineEntry, type AddTimelineEntryInput } from "../writes/addTimelineEntry.js";
import { assignCase, escalateCase, startCase } from "../writes/caseWork.js";
import { openCase, type OpenCaseInput } from "../writes/openCase.js";
import { resolveCase } from "../writes/resolveCase.js";

export const Mutation = {
  openCase(_parent: unknown, args: { input: OpenCaseInput }, ctx: CrmContext): Promise<Case> {
    return openCase(ctx, args.input);
  },
  resolveCase(_parent: unknown, args: { caseNumber: string; resolution: string }, ctx: CrmContext): Promise<Case> {
    return resolveCase(ctx, args);
  },
  assignCase(_parent: unknown, args: { caseNumber: string; owner: string; idempotencyKey?: string | null }, ctx: CrmContext): Promise<Case> {
    return assignCase(ctx, args);
  },
  startCase(_parent: unknown, args: { caseNumber: string; idempotencyKey?: string | null }, ctx: CrmContext): Promise<Case> {
    return startCase(ctx, args);
  },
  escalateCase(_parent: unknown, args: { caseNumber: string; reason: string; idempotencyKey?: string | null }, ctx: CrmContext): Promise<Case> {
    return escalateCase(ctx, args);
  },
  addTimelineEntry(_parent: unknown, args: { input: AddTimelineEntryInput }, ctx: CrmContext): Promise<TimelineEntry> {
    return addTimelineEntry(ctx, args.input);
  },
};
