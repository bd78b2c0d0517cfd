// Small helpers the flows share: reading typed fields out of feed payloads and step facts,
// and finding the customer of an order when the triggering event did not carry it.
import { PermanentStepError, type Facts, type StepContext } from "../engine/types.js";

export function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export function requireText(facts: Facts | Record<string, unknown>, key: string): string {
  const value = text(facts[key]);
  if (value === null) throw new PermanentStepError(`step input lacks ${key}`, "BAD_STEP_INPUT");
  return value;
}

const ORDER_CUSTOMER = `query($n: ID!) { order(orderNumber: $n) { customer { customerNumber } } }`;

/** The order's customer: from the run, from an earlier step's facts, else asked of the ERP. */
export async function customerOf(ctx: StepContext): Promise<string> {
  const known = ctx.customerNumber ?? text(ctx.facts["customerNumber"]);
  if (known) return known;
  if (!ctx.orderNumber) throw new PermanentStepError("the run has neither a customer nor an order", "BAD_STEP_INPUT");
  const data = await ctx.gateway.request<{ order: { customer: { customerNumber: string } } | null }>(ORDER_CUSTOMER, { n: ctx.orderNumber });
  if (!data.order) throw new PermanentStepError(`no order ${ctx.orderNumber}`, "UNKNOWN_ORDER");
  return data.order.customer.customerNumber;
}

export const ADD_TIMELINE_ENTRY = `mutation($input: AddTimelineEntryInput!) { addTimelineEntry(input: $input) { kind } }`;

/** One CRM timeline entry keyed by the step's idempotency key: a retry never adds a second. */
export async function addTimelineEntry(ctx: StepContext, entry: { kind: string; summary: string; occurredAt?: string | null }): Promise<void> {
  const customerNumber = await customerOf(ctx);
  await ctx.gateway.request(ADD_TIMELINE_ENTRY, {
    input: {
      customerNumber,
      orderNumber: ctx.orderNumber,
      kind: entry.kind,
      summary: entry.summary,
      occurredAt: entry.occurredAt ?? null,
      externalKey: ctx.idempotencyKey,
    },
  });
}
