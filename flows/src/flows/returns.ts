// Returns: a WMS receipt of a customer return (its stock is already back on hand, so the read
// model shows it available again) becomes an ERP credit memo at the order's prices and a CRM
// timeline entry for the account team. One run per receipt.
import type { FeedEvent, FlowDefinition, RunTrigger, StepDefinition } from "../engine/types.js";
import { addTimelineEntry, requireText, text } from "./support.js";

export const RETURNS = "returns";

const CREATE_CREDIT_MEMO = `mutation($input: CreateCreditMemoInput!) { createCreditMemo(input: $input) { memoNumber amount customer { customerNumber currency } } }`;

const createCreditMemo: StepDefinition = {
  async run(ctx) {
    const receiptNumber = requireText(ctx.input, "receiptNumber");
    const data = await ctx.gateway.request<{
      createCreditMemo: { memoNumber: string; amount: string; customer: { customerNumber: string; currency: string } };
    }>(CREATE_CREDIT_MEMO, {
      input: {
        orderNumber: ctx.orderNumber,
        reason: "Customer return",
        reference: receiptNumber,
        warehouseCode: text(ctx.input["warehouseCode"]),
        lines: ctx.input["lines"],
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
