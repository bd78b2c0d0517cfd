// setCreditLimit: changes a customer's credit limit and audits the old and new values. It
// does not re-evaluate held orders; releasing them is a separate, deliberate step.
import { requireCustomerAccess, runWrite } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, moneyToString, toDecimal } from "@crossdock/schema";
import type { ErpWrites, WriteActor } from "./transaction.js";

const MAX_CREDIT_LIMIT = new Decimal("1e16");

export async function setCreditLimit(writes: ErpWrites, actor: WriteActor, customerNumber: string, creditLimit: string): Promise<void> {
  const limit = new Decimal(creditLimit);
  if (limit.isNegative()) throw crossdockError(ErrorCode.BAD_USER_INPUT, `creditLimit must be 0 or more, got ${creditLimit}`, { field: "creditLimit" });
  if (limit.decimalPlaces() > 2 || limit.gte(MAX_CREDIT_LIMIT)) {
    throw crossdockError(
      ErrorCode.INVALID_DECIMAL,
      `creditLimit must be an amount with at most 2 decimals below ${MAX_CREDIT_LIMIT.toFixed()}, got ${creditLimit}`,
      { field: "creditLimit" },
    );
  }
  await runWrite(writes.prisma, {
    actor,
    operation: "setCreditLimit",
    decide: async (tx) => {
      requireCustomerAccess(actor.principal, customerNumber);
      const [customer] = await tx.$queryRaw<{ creditLimit: string }[]>`
        SELECT "creditLimit"::text AS "creditLimit" FROM "Customer" WHERE "customerNumber" = ${customerNumber} FOR UPDATE`;
      if (!customer) throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `No customer ${customerNumber}`, { field: "customerNumber" });
      await tx.customer.update({ where: { customerNumber }, data: { creditLimit: limit.toFixed(2) }, select: { id: true } });
      const detail = { previousCreditLimit: moneyToString(toDecimal(customer.creditLimit)), creditLimit: moneyToString(limit) };
      return { result: null, audit: { entityType: "Customer", entityKey: customerNumber, detail } };
    },
  });
}
