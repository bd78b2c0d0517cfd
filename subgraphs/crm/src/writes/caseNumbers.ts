// Case numbers (CS-000123): drawn from the "CaseNumber_seq" sequence that the migration creates
// and the seed moves past the seeded cases. A number is never reused, even when the transaction
// that drew it rolls back (gaps are expected; duplicates are impossible).
import type { RawSqlTransaction } from "@crossdock/platform";

export const CASE_NUMBER_SEQUENCE = `"CaseNumber_seq"`;

export function formatCaseNumber(value: number | bigint | string): string {
  return `CS-${String(value).padStart(6, "0")}`;
}

/** The numeric part of a case number, or null for numbers this CRM did not issue. */
export function parseCaseNumber(caseNumber: string): number | null {
  const match = /^CS-(\d+)$/.exec(caseNumber);
  return match ? Number(match[1]) : null;
}

export async function nextCaseNumber(tx: RawSqlTransaction): Promise<string> {
  const [row] = await tx.$queryRawUnsafe<{ next: string }[]>(`SELECT nextval('${CASE_NUMBER_SEQUENCE}')::text AS "next"`);
  if (!row) throw new Error("the case number sequence returned no value");
  return formatCaseNumber(row.next);
}
