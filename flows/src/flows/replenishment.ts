// Replenishment: when available stock of a sku at a warehouse falls below the product's
// reorder point (the read model's InventoryPosition crossing it downwards), the ERP gets a
// purchase suggestion. Reorder points are read through the gateway and cached; the ERP itself
// keeps at most one open suggestion per sku × warehouse.
import { Decimal } from "@crossdock/schema";
import type { GatewayClient } from "../engine/gatewayClient.js";
import type { FeedEvent, FlowDefinition, RunLookup, RunTrigger, StepDefinition } from "../engine/types.js";
import { requireText, text } from "./support.js";

export const REPLENISHMENT = "replenishment";

const CREATE_SUGGESTION = `mutation($input: CreatePurchaseSuggestionInput!) { createPurchaseSuggestion(input: $input) { suggestion { id quantity } } }`;
const REORDER_POINTS = `query($after: String) { products(first: 500, after: $after) { edges { node { sku reorderPoint } } pageInfo { hasNextPage endCursor } } }`;
const REFRESH_MS = 5 * 60_000;

/** The catalogue's reorder points, refreshed every few minutes (they change rarely). */
export class ReorderPoints {
  private points = new Map<string, string>();
  private loadedAt = 0;

  get(sku: string): string | undefined {
    return this.points.get(sku);
  }

  async ensureFresh(gateway: GatewayClient): Promise<void> {
    if (Date.now() - this.loadedAt < REFRESH_MS) return;
    const next = new Map<string, string>();
    let after: string | null = null;
    for (;;) {
      type Page = { products: { edges: { node: { sku: string; reorderPoint: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      const page: Page = await gateway.request<Page>(REORDER_POINTS, { after });
      for (const edge of page.products.edges) next.set(edge.node.sku, edge.node.reorderPoint);
      if (!page.products.pageInfo.hasNextPage) break;
      after = page.products.pageInfo.endCursor;
    }
    this.points = next;
    this.loadedAt = Date.now();
  }
}

/** True when this change takes available stock from at/above the reorder point to below it. */
export function crossesBelow(available: string, previousAvailable: string | null, reorderPoint: string): boolean {
  const point = new Decimal(reorderPoint);
  if (point.lte(0) || !new Decimal(available).lt(point)) return false;
  return previousAvailable === null || new Decimal(previousAvailable).gte(point);
}

const createPurchaseSuggestion: StepDefinition = {
  async run(ctx) {
    const data = await ctx.gateway.request<{ createPurchaseSuggestion: { suggestion: { id: string; quantity: string } | null } }>(CREATE_SUGGESTION, {
      input: {
        sku: requireText(ctx.input, "sku"),
        warehouseCode: requireText(ctx.input, "warehouseCode"),
        available: requireText(ctx.input, "available"),
        idempotencyKey: ctx.idempotencyKey,
      },
    });
    const suggestion = data.createPurchaseSuggestion.suggestion;
    return { output: suggestion ? { suggestionId: suggestion.id, quantity: suggestion.quantity } : { suggestionId: null } };
  },
};

function route(event: FeedEvent, lookup: RunLookup): RunTrigger[] {
  const p = event.payload;
  const sku = text(p["sku"]);
  const warehouseCode = text(p["warehouseCode"]);
  const available = text(p["available"]);
  if (!sku || !warehouseCode || !available) return [];
  const point = lookup.reorderPoint(sku);
  if (point === undefined || !crossesBelow(available, text(p["previousAvailable"]), point)) return [];
  return [
    {
      flow: REPLENISHMENT,
      subjectKey: `${sku}|${warehouseCode}@${event.cursor}`,
      create: true,
      facts: { done: true, sku, warehouseCode, reorderPoint: point },
      steps: [{ name: "createPurchaseSuggestion", kind: "createPurchaseSuggestion", input: { sku, warehouseCode, available } }],
    },
  ];
}

export const replenishment: FlowDefinition = { name: REPLENISHMENT, entityTypes: ["InventoryPosition"], steps: { createPurchaseSuggestion }, route };
