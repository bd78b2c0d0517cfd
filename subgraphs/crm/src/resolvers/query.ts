// Query: the CRM's own entry points (beyond the contract): one account, one case, and a page of
// cases newest-opened first with opaque keyset cursors. Single lookups go through the loaders.
// A partner sees only its own customer's: other accounts and cases read as null, pages filter in SQL.
import { customerFilterFor, EMPTY_PAGE, loadVisible } from "@crossdock/platform";
import { decodeCursor, encodeCursor, pageSize, crossdockError, ErrorCode } from "@crossdock/schema";
import type { Account, Case, CaseStatus, Prisma } from "../__generated__/prisma/client.js";
import type { CrmContext } from "../context.js";

interface CasesArgs {
  status?: CaseStatus | null;
  customerNumber?: string | null;
  first?: number | null;
  after?: string | null;
}

interface CaseConnection {
  edges: { cursor: string; node: Case }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function caseCursor(row: Case): string {
  return encodeCursor([row.openedAt.toISOString(), row.caseNumber]);
}

/** Everything strictly after the cursor's case in (openedAt desc, caseNumber desc) order. */
function afterCursor(after: string): Prisma.CaseWhereInput {
  const [openedAtText, caseNumber] = decodeCursor(after, 2);
  const openedAt = new Date(String(openedAtText));
  if (Number.isNaN(openedAt.getTime()) || typeof caseNumber !== "string") {
    throw crossdockError(ErrorCode.INVALID_CURSOR, "The `after` cursor is not one this API issued");
  }
  return { OR: [{ openedAt: { lt: openedAt } }, { openedAt, caseNumber: { lt: caseNumber } }] };
}

export const Query = {
  account(_parent: unknown, args: { accountId: string }, ctx: CrmContext): Promise<Account | null> {
    return loadVisible(ctx.principal, ctx.loaders.accountByAccountId.load(args.accountId), (account) => account.customerNumber);
  },
  case(_parent: unknown, args: { caseNumber: string }, ctx: CrmContext): Promise<Case | null> {
    return loadVisible(ctx.principal, ctx.loaders.caseByCaseNumber.load(args.caseNumber), (row) => row.customerNumber);
  },
  async cases(_parent: unknown, args: CasesArgs, ctx: CrmContext): Promise<CaseConnection> {
    const size = pageSize(args.first);
    const customers = customerFilterFor(ctx.principal, args.customerNumber || undefined);
    if (!customers) return EMPTY_PAGE as unknown as CaseConnection;
    const filters: Prisma.CaseWhereInput[] = [];
    if (args.status) filters.push({ status: args.status });
    if (customers.customerNumber) filters.push({ customerNumber: customers.customerNumber });
    if (args.after) filters.push(afterCursor(args.after));
    const rows = await ctx.prisma.case.findMany({
      where: { AND: filters },
      orderBy: [{ openedAt: "desc" }, { caseNumber: "desc" }],
      take: size + 1,
    });
    const page = rows.slice(0, size);
    const edges = page.map((node) => ({ cursor: caseCursor(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
  },
};
