// recordPayment: money received from a customer, applied to the named invoices (else to the
// customer's open invoices, oldest first). It lowers the open balance by the whole amount, keeps
// what no invoice took as unapplied credit, marks settled invoices PAID and their orders CLOSED,
// and lifts the customer's credit hold once the balance is under the limit. One transaction.
import { requireCustomerAccess, runWrite } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, isDecimalLiteral, moneyToString, toDecimal } from "@crossdock/schema";
import { LOCKED_INVOICE_COLUMNS, settleInvoice, type LockedInvoice, type Settlement } from "./settleInvoice.js";
import type { ErpTransaction, ErpWrites, WriteActor } from "./transaction.js";

export interface RecordPaymentInput {
  customerNumber: string;
  amount: string;
  reference: string;
  idempotencyKey: string;
  invoiceNumbers?: string[] | null;
}

const MAX_AMOUNT = new Decimal("1e16");
const MAX_INVOICES = 100;

interface PaymentRequest {
  customerNumber: string;
  amount: string;
  reference: string;
  invoiceNumbers: string[] | null;
}

function normalizePayment(input: RecordPaymentInput): PaymentRequest {
  const amount = isDecimalLiteral(input.amount) ? new Decimal(input.amount) : null;
  if (amount === null || amount.lte(0) || amount.decimalPlaces() > 2 || amount.gte(MAX_AMOUNT)) {
    throw crossdockError(ErrorCode.INVALID_DECIMAL, `amount must be above 0 with at most 2 decimals, got ${input.amount}`, { field: "amount" });
  }
  const reference = input.reference.trim();
  if (reference === "" || reference.length > 200)
    throw crossdockError(ErrorCode.BAD_USER_INPUT, "reference must be 1 to 200 characters", { field: "reference" });
  let invoiceNumbers: string[] | null = null;
  if (input.invoiceNumbers !== null && input.invoiceNumbers !== undefined) {
    invoiceNumbers = input.invoiceNumbers.map((n) => n.trim());
    if (invoiceNumbers.length === 0 || invoiceNumbers.length > MAX_INVOICES)
      throw crossdockError(ErrorCode.BAD_USER_INPUT, `invoiceNumbers names 1 to ${MAX_INVOICES} invoices, or is left out`, { field: "invoiceNumbers" });
    const duplicate = invoiceNumbers.find((n, i) => invoiceNumbers!.indexOf(n) !== i);
    if (duplicate) throw crossdockError(ErrorCode.BAD_USER_INPUT, `Invoice ${duplicate} is named twice`, { field: "invoiceNumbers" });
  }
  return { customerNumber: input.customerNumber.trim(), amount: amount.toFixed(2), reference, invoiceNumbers };
}

/** The invoices the payment goes to, locked after their orders, in the order they are settled. */
async function invoicesToSettle(tx: ErpTransaction, request: PaymentRequest): Promise<LockedInvoice[]> {
  // Named invoices ($2), else the customer's ($1) open ones: one statement text for both.
  const candidates = `((cardinality($2::text[]) = 0 AND o."customerNumber" = $1 AND i."status" = 'OPEN') OR i."invoiceNumber" = ANY($2::text[]))`;
  // Orders first, by id, then their invoices: the order every ERP write that takes both keeps
  // (createCreditMemo: order, invoice, customer), so a payment and a credit memo cannot deadlock.
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM "SalesOrder" WHERE "id" IN (SELECT i."orderId" FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId" WHERE ${candidates}) ORDER BY "id" FOR UPDATE`,
    request.customerNumber,
    request.invoiceNumbers ?? [],
  );
  const rows = await tx.$queryRawUnsafe<LockedInvoice[]>(
    `SELECT ${LOCKED_INVOICE_COLUMNS} FROM "Invoice" i JOIN "SalesOrder" o ON o."id" = i."orderId" WHERE ${candidates}
     ORDER BY i."issuedAt", i."id" FOR UPDATE OF i`,
    request.customerNumber,
    request.invoiceNumbers ?? [],
  );
  if (request.invoiceNumbers === null) return rows.filter((row) => row.status === "OPEN");
  return request.invoiceNumbers.map((number, index) => {
    const invoice = rows.find((row) => row.invoiceNumber === number);
    // Another customer's invoice reads as unknown: a payment never learns what others owe.
    if (!invoice || invoice.customerNumber !== request.customerNumber)
      throw crossdockError(ErrorCode.UNKNOWN_INVOICE, `Customer ${request.customerNumber} has no invoice ${number}`, { field: `invoiceNumbers.${index}` });
    if (invoice.status !== "OPEN")
      throw crossdockError(ErrorCode.INVALID_STATE, `Invoice ${number} is ${invoice.status}; nothing is owed on it`, { field: `invoiceNumbers.${index}` });
    return invoice;
  });
}

export async function recordPayment(writes: ErpWrites, actor: WriteActor, input: RecordPaymentInput): Promise<{ paymentId: string }> {
  const request = normalizePayment(input);
  const { result } = await runWrite(writes.prisma, {
    actor,
    operation: "recordPayment",
    idempotency: { key: input.idempotencyKey, request },
    decide: async (tx) => {
      requireCustomerAccess(actor.principal, request.customerNumber);
      const [known] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Customer" WHERE "customerNumber" = ${request.customerNumber}`;
      if (!known) throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `No customer ${request.customerNumber}`, { field: "customerNumber" });
      // Orders (and invoices) before their customer, as cancelOrder, amendOrder and createCreditMemo lock them.
      const invoices = await invoicesToSettle(tx, request);
      // The customer's lock orders this payment against concurrent orders and payments of the customer.
      const [customer] = await tx.$queryRaw<{ status: string; creditLimit: string; openBalance: string }[]>`
        SELECT "status"::text AS "status", "creditLimit"::text AS "creditLimit", "openBalance"::text AS "openBalance"
        FROM "Customer" WHERE "customerNumber" = ${request.customerNumber} FOR UPDATE`;
      if (!customer) throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `No customer ${request.customerNumber}`, { field: "customerNumber" });

      const amount = new Decimal(request.amount);
      // The number comes from the table's own id sequence, like credit memos: never reused.
      const [payment] = await tx.$queryRaw<{ id: number; paymentId: string }[]>`
        INSERT INTO "Payment" ("id", "paymentId", "customerNumber", "amount", "unapplied", "reference")
        SELECT n, 'PAY-' || lpad(n::text, 6, '0'), ${request.customerNumber}, ${request.amount}::numeric, ${request.amount}::numeric, ${request.reference}
        FROM (SELECT nextval(pg_get_serial_sequence('"Payment"', 'id')) AS n) s
        RETURNING "id", "paymentId"`;
      let left = amount;
      const settled: Settlement[] = [];
      for (const invoice of invoices) {
        if (left.lte(0)) break;
        const settlement = await settleInvoice(tx, { invoice, amount: left, paymentId: payment!.id });
        left = left.minus(settlement.applied);
        if (settlement.applied.gt(0)) settled.push(settlement);
      }
      const balance = toDecimal(customer.openBalance).minus(amount);
      // The hold exists to stop new credit; once the balance is back under the limit it has done its job.
      const liftHold = customer.status === "CREDIT_HOLD" && balance.lt(toDecimal(customer.creditLimit));
      await tx.$executeRaw`
        UPDATE "Customer" SET "openBalance" = "openBalance" - ${request.amount}::numeric,
          "status" = CASE WHEN ${liftHold} THEN 'ACTIVE'::"CustomerStatus" ELSE "status" END
        WHERE "customerNumber" = ${request.customerNumber}`;
      await tx.$executeRaw`UPDATE "Payment" SET "unapplied" = ${left.toFixed(2)}::numeric WHERE "id" = ${payment!.id}`;
      return {
        result: { paymentId: payment!.paymentId },
        audit: {
          entityType: "Payment",
          entityKey: payment!.paymentId,
          detail: {
            ...request,
            appliedTo: settled.map((s) => ({ invoiceNumber: s.invoiceNumber, amount: moneyToString(s.applied), paid: s.paid })),
            closedOrders: settled.flatMap((s) => (s.closedOrder ? [s.closedOrder] : [])),
            unapplied: moneyToString(left),
            creditHoldLifted: liftHold,
          },
        },
      };
    },
  });
  return result;
}
