// submitOrder: the ERP's decision on an incoming order — accept (RELEASED), hold
// (CREDIT_HOLD) or reject (REJECTED) — in one transaction with its idempotency key and audit
// entry. Errors (unknown customer or warehouse) write nothing; rejections store only the key.
import { currentChangeCursor, recordAudit, runIdempotent, type Principal } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, moneyToString, toDecimal } from "@crossdock/schema";
import type { ErpPrisma } from "../db.js";
import { chooseWarehouse } from "./chooseWarehouse.js";
import { normalizeSubmitOrder, type SubmitOrderInput, type SubmitOrderRequest } from "./orderInput.js";
import { WRITE_TRANSACTION_OPTIONS, type ErpTransaction } from "./transaction.js";

export type SubmitOutcome = "RELEASED" | "CREDIT_HOLD" | "REJECTED";
export type SubmitReason = "CREDIT_LIMIT_EXCEEDED" | "CUSTOMER_ON_CREDIT_HOLD" | "CUSTOMER_BLOCKED" | "UNKNOWN_SKU";

/** Plain JSON: stored with the idempotency key and handed back unchanged on every retry. */
export interface SubmitOrderResult {
  orderNumber: string | null;
  outcome: SubmitOutcome;
  reason: SubmitReason | null;
  message: string | null;
  changeCursor: string;
}

export interface WriteActor {
  principal: Principal;
  requestId: string;
}

interface LockedCustomer {
  customerNumber: string;
  status: "ACTIVE" | "CREDIT_HOLD" | "BLOCKED";
  creditLimit: string;
  openBalance: string;
  currency: string;
}

// numeric(18,2) holds sixteen integer digits.
const MAX_ORDER_TOTAL = new Decimal("1e16");
const SUBMITTED_ORDER_CHANNEL = "API";

export async function submitOrder(prisma: ErpPrisma, actor: WriteActor, input: SubmitOrderInput): Promise<SubmitOrderResult> {
  const request = normalizeSubmitOrder(input);
  return prisma.$transaction(async (tx) => {
    const { result } = await runIdempotent({
      tx,
      scope: "submitOrder",
      key: request.idempotencyKey,
      request,
      execute: () => decideOrder(tx, actor, request),
    });
    return result;
  }, WRITE_TRANSACTION_OPTIONS);
}

async function lockCustomer(tx: ErpTransaction, customerNumber: string): Promise<LockedCustomer | null> {
  // The row lock serializes concurrent submits for one customer, so two orders can never
  // both pass the credit check against the same open balance.
  const [customer] = await tx.$queryRaw<LockedCustomer[]>`
    SELECT "customerNumber", "status"::text AS "status", "creditLimit"::text AS "creditLimit", "openBalance"::text AS "openBalance", "currency"
    FROM "Customer" WHERE "customerNumber" = ${customerNumber} FOR UPDATE`;
  return customer ?? null;
}

async function decideOrder(tx: ErpTransaction, actor: WriteActor, request: SubmitOrderRequest): Promise<SubmitOrderResult> {
  const customer = await lockCustomer(tx, request.customerNumber);
  if (!customer) throw crossdockError(ErrorCode.UNKNOWN_CUSTOMER, `No customer ${request.customerNumber}`, { field: "customerNumber" });
  if (request.warehouseCode !== null) {
    const known = await tx.inventoryLedger.findFirst({ where: { warehouseCode: request.warehouseCode }, select: { id: true } });
    if (!known) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${request.warehouseCode}`, { field: "warehouseCode" });
  }
  // A rejection is a write too: its audit entry is what the audit log and read-your-writes
  // (the captured AuditEntry marks the transaction as applied) see of it.
  const reject = async (reason: SubmitReason, message: string): Promise<SubmitOrderResult> => {
    await recordAudit(tx, {
      principal: actor.principal,
      requestId: actor.requestId,
      operation: "submitOrder",
      entityType: "Customer",
      entityKey: customer.customerNumber,
      detail: { outcome: "REJECTED", reason, message, idempotencyKey: request.idempotencyKey },
    });
    return { orderNumber: null, outcome: "REJECTED", reason, message, changeCursor: await currentChangeCursor(tx, "erp") };
  };

  if (customer.status === "BLOCKED") return reject("CUSTOMER_BLOCKED", `Customer ${customer.customerNumber} is blocked`);
  const skus = request.lines.map((line) => line.sku);
  const products = await tx.product.findMany({ where: { sku: { in: skus } }, select: { sku: true, listPrice: true } });
  const listPrices = new Map(products.map((product) => [product.sku, toDecimal(product.listPrice)]));
  const unknown = skus.filter((sku) => !listPrices.has(sku));
  if (unknown.length > 0) return reject("UNKNOWN_SKU", `Unknown SKU${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);

  const contractPrices = await tx.customerPrice.findMany({
    where: { customerNumber: customer.customerNumber, sku: { in: skus } },
    select: { sku: true, unitPrice: true },
  });
  const prices = new Map(contractPrices.map((price) => [price.sku, toDecimal(price.unitPrice)]));
  const lines = request.lines.map((line, index) => ({
    lineNumber: index + 1,
    sku: line.sku,
    quantity: new Decimal(line.quantity),
    unitPrice: prices.get(line.sku) ?? listPrices.get(line.sku)!,
  }));
  const total = lines.reduce((sum, line) => sum.plus(line.quantity.mul(line.unitPrice)), new Decimal(0)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (total.gte(MAX_ORDER_TOTAL)) throw crossdockError(ErrorCode.BAD_USER_INPUT, "The order total is too large", { field: "lines" });

  const warehouseCode = request.warehouseCode ?? (await chooseWarehouse(tx, lines));
  if (warehouseCode === null) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, "The ERP knows no warehouse to ship from", { field: "warehouseCode" });

  const openBalance = toDecimal(customer.openBalance);
  const creditLimit = toDecimal(customer.creditLimit);
  const creditReason: SubmitReason | null =
    customer.status === "CREDIT_HOLD" ? "CUSTOMER_ON_CREDIT_HOLD" : openBalance.plus(total).gt(creditLimit) ? "CREDIT_LIMIT_EXCEEDED" : null;
  const status = creditReason === null ? "RELEASED" : "CREDIT_HOLD";

  const [sequence] = await tx.$queryRaw<{ next: string }[]>`SELECT nextval('"SalesOrderNumber_seq"')::text AS "next"`;
  const orderNumber = `SO-${sequence!.next}`;
  await tx.salesOrder.create({
    data: {
      orderNumber,
      customerNumber: customer.customerNumber,
      status,
      warehouseCode,
      total: total.toFixed(2),
      currency: customer.currency,
      channel: SUBMITTED_ORDER_CHANNEL,
      idempotencyKey: request.idempotencyKey,
      requestedBy: request.requestedBy ?? `${actor.principal.kind}:${actor.principal.subject}`,
      lines: {
        create: lines.map((line) => ({ lineNumber: line.lineNumber, sku: line.sku, quantity: line.quantity.toFixed(), unitPrice: line.unitPrice.toFixed(2) })),
      },
    },
    select: { id: true },
  });
  if (status === "RELEASED") {
    await tx.customer.update({
      where: { customerNumber: customer.customerNumber },
      data: { openBalance: { increment: total.toFixed(2) } },
      select: { id: true },
    });
  }
  await recordAudit(tx, {
    principal: actor.principal,
    requestId: actor.requestId,
    operation: "submitOrder",
    entityType: "Order",
    entityKey: orderNumber,
    detail: {
      customerNumber: customer.customerNumber,
      status,
      reason: creditReason,
      total: moneyToString(total),
      warehouseCode,
      idempotencyKey: request.idempotencyKey,
    },
  });
  const message =
    creditReason === "CUSTOMER_ON_CREDIT_HOLD"
      ? `Customer ${customer.customerNumber} is on credit hold`
      : creditReason === "CREDIT_LIMIT_EXCEEDED"
        ? `Open balance ${moneyToString(openBalance)} plus this order's ${moneyToString(total)} exceeds the credit limit ${moneyToString(creditLimit)}`
        : null;
  return { orderNumber, outcome: status, reason: creditReason, message, changeCursor: await currentChangeCursor(tx, "erp") };
}
