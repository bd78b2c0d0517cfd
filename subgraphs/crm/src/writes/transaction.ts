// How CRM writes reach the platform's write frame: Prisma interactive transactions bounded by the
// platform's one write deadline (PGlite is a single connection, so writes queue behind each other).
import { prismaWriteTransactions, type WriteActor, type WriteTransactions } from "@crossdock/platform";
import type { CrmContext } from "../context.js";
import type { CrmPrisma } from "../db.js";

export type CrmTransaction = Parameters<Parameters<CrmPrisma["$transaction"]>[0]>[0];

export function crmWrites(ctx: Pick<CrmContext, "prisma">): WriteTransactions<CrmTransaction> {
  return prismaWriteTransactions<CrmTransaction>(ctx.prisma);
}

/** The audit subject: always the verified principal, never anything in the arguments. */
export function actorOf(ctx: Pick<CrmContext, "principal" | "requestId" | "traceparent">): WriteActor {
  return { principal: ctx.principal, requestId: ctx.requestId, traceparent: ctx.traceparent };
}
