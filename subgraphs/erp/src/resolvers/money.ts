// Money leaves the ERP with exactly two fraction digits ("1234.50"), as the contract shows;
// Prisma's Decimal would drop the trailing zero. Quantities keep their natural scale.
import { moneyToString } from "@crossdock/schema";

type MoneyValue = Parameters<typeof moneyToString>[0];

/** Field resolvers that format the named money columns of a row. */
export function moneyFields<K extends string>(...fields: K[]): Record<K, (row: Record<K, MoneyValue | null>) => string | null> {
  return Object.fromEntries(
    fields.map((field) => [
      field,
      (row: Record<K, MoneyValue | null>) => (row[field] === null || row[field] === undefined ? null : moneyToString(row[field]!)),
    ]),
  ) as Record<K, (row: Record<K, MoneyValue | null>) => string | null>;
}
