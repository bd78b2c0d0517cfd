// The ERP's business rules for an amendment that need no database: whether two sets of lines
// are the same order, and the credit decision on the amended total. An amendment that lowers a
// released order's total never needs new credit; anything else is judged as a new order would be.
import { Decimal, moneyToString, toDecimal } from "@crossdock/schema";

export interface AmendedLine {
  sku: string;
  quantity: Decimal;
  unitPrice: Decimal;
}

export type AmendmentOutcome =
  | { outcome: "RELEASED"; reason: null; message: null; total: Decimal }
  | { outcome: "CREDIT_HOLD"; reason: "CREDIT_LIMIT_EXCEEDED" | "CUSTOMER_ON_CREDIT_HOLD"; message: string; total: Decimal }
  | { outcome: "REJECTED"; reason: "CUSTOMER_BLOCKED"; message: string };

/** Same SKUs with equal quantities, in any order. */
export function sameLines(a: readonly { sku: string; quantity: string }[], b: readonly { sku: string; quantity: string }[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((line) => b.some((other) => other.sku === line.sku && toDecimal(other.quantity).eq(toDecimal(line.quantity))));
}

export function decideAmendedCredit(options: {
  customer: { status: string; creditLimit: string; openBalance: string };
  orderStatus: string;
  previousTotal: Decimal;
  lines: readonly AmendedLine[];
}): AmendmentOutcome {
  const { customer, orderStatus, previousTotal } = options;
  const total = options.lines.reduce((sum, line) => sum.plus(line.quantity.mul(line.unitPrice)), new Decimal(0)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (customer.status === "BLOCKED") return { outcome: "REJECTED", reason: "CUSTOMER_BLOCKED", message: "The customer is blocked; the order stays as it was" };
  if (orderStatus === "RELEASED" && total.lte(previousTotal)) return { outcome: "RELEASED", reason: null, message: null, total };
  if (customer.status === "CREDIT_HOLD") return { outcome: "CREDIT_HOLD", reason: "CUSTOMER_ON_CREDIT_HOLD", message: "The customer is on credit hold", total };
  // The balance without this order, then with its amended total.
  const others = toDecimal(customer.openBalance).minus(orderStatus === "RELEASED" ? previousTotal : 0);
  const limit = toDecimal(customer.creditLimit);
  if (others.plus(total).gt(limit)) {
    return {
      outcome: "CREDIT_HOLD",
      reason: "CREDIT_LIMIT_EXCEEDED",
      message: `Open balance ${moneyToString(others)} plus the amended ${moneyToString(total)} exceeds the credit limit ${moneyToString(limit)}`,
      total,
    };
  }
  return { outcome: "RELEASED", reason: null, message: null, total };
}
