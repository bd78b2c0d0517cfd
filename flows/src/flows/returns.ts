// Returns: a WMS receipt of a customer return (its stock is already back on hand, so the read
// model shows it available again) becomes an ERP credit memo at the order's prices and a CRM
// timeline entry for the account team. One run per receipt.
import type { FeedEvent, FlowDefinition, RunTrigger, StepDefinition } from "../engine/types.js";
import { Decimal } from "@crossdock/schema";
import { addTimelineEntry, requireText, text } from "./support.js";

export const RETURNS = "returns";

const CREATE_CREDIT_MEMO = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { memoNumber amount customer { customerNumber currency } } }`;

const RECEIPT_LINES = `query($n: ID!) { receipt(receiptNumber: $n) { warehouse { code } lines { sku quantity } } }`;

/**
 * The receipt's lines as the WMS holds them. The feed entry may have been applied before its
 * lines were (the Receipt and ReceiptLine rows can land in different ingest batches), so the
 * step asks the owner instead of trusting whatever lines the event happened to carry.
 */
async function receiptLines(ctx: Parameters<StepDefinition["run"]>[0], receiptNumber: string) {
  const data = await ctx.gateway.request<{ receipt: { warehouse: { code: string }; lines: { sku: string; quantity: string }[] } | null }>(RECEIPT_LINES, {
    n: receiptNumber,
  });
  if (!data.receipt) throw new Error(`WMS has no receipt ${receiptNumber}`);
  // Quantities of the same sku received into several bins are one credited quantity.
  const bySku = new Map<string, Decimal>();
  for (const line of data.receipt.lines) bySku.set(line.sku, (bySku.get(line.sku) ?? new Decimal(0)).plus(line.quantity));
  return { warehouseCode: data.receipt.warehouse.code, lines: [...bySku].map(([sku, quantity]) => ({ sku, quantity: quantity.toFixed() })) };
}

const createCreditMemo: StepDefinition = {
  async run(ctx) {
    const receiptNumber = requireText(ctx.input, "receiptNumber");
    const receipt = await receiptLines(ctx, receiptNumber);
    const data = await ctx.gateway.request<{
      createCreditMemo: { memoNumber: string; amount: string; customer: { customerNumber: string; currency: string } };
    }>(CREATE_CREDIT_MEMO, {
      input: {
        orderNumber: ctx.orderNumber,
        reason: "Customer return",
        reference: receiptNumber,
        warehouseCode: receipt.warehouseCode,
        lines: receipt.lines,
        idempotencyKey: ctx.idempotencyKey,
      },
    });
    const memo = data.createCreditMemo;
    return {
      output: { memoNumber: memo.memoNumber, amount: memo.amount },
      facts: { memoNumber: memo.memoNumber, amount: memo.amount, currency: memo.customer.currency, customerNumber: memo.customer.customerNumber },
    };
  },
};

const timelineReturned: StepDefinition = {
  async run(ctx) {
    const receiptNumber = requireText(ctx.input, "receiptNumber");
    const memo = text(ctx.facts["memoNumber"]);
    await addTimelineEntry(ctx, {
      kind: "RETURN_CREDITED",
      summary: `Return ${receiptNumber} received${memo ? `; credit memo ${memo} for ${ctx.facts["amount"]} ${ctx.facts["currency"] ?? ""}`.trimEnd() : ""}`,
      occurredAt: text(ctx.input["occurredAt"]),
    });
    return {};
  },
};

function route(event: FeedEvent): RunTrigger[] {
  const p = event.payload;
  const receiptNumber = text(p["receiptNumber"]);
  const orderNumber = text(p["orderNumber"]);
  if (p["kind"] !== "RETURN" || !receiptNumber || !orderNumber) return [];
  const lines = Array.isArray(p["lines"]) ? (p["lines"] as { sku: string; quantity: string }[]).map((l) => ({ sku: l.sku, quantity: l.quantity })) : [];
  return [
    {
      flow: RETURNS,
      subjectKey: receiptNumber,
      orderNumber,
      create: true,
      facts: { done: true, receiptNumber },
      steps: [
        { name: "createCreditMemo", kind: "createCreditMemo", input: { receiptNumber, warehouseCode: text(p["warehouseCode"]), lines } },
        { name: "timelineReturned", kind: "timelineReturned", input: { receiptNumber, occurredAt: event.occurredAt.toISOString() } },
      ],
    },
  ];
}

export const returns: FlowDefinition = { name: RETURNS, entityTypes: ["Receipt"], steps: { createCreditMemo, timelineReturned }, route };
