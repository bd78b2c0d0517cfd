// createPurchaseSuggestion: procure-to-pay's first step. When stock of a sku at a warehouse
// is below the product's reorder point, suggest buying back up to twice that point. One open
// suggestion per sku × warehouse at most: asking again returns the open one.
import { runWrite } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { ErpWrites, WriteActor } from "./transaction.js";

export interface CreatePurchaseSuggestionInput {
  sku: string;
  warehouseCode: string;
  /** Available stock as the caller observed it (the read model's onHand − allocated). */
  available: string;
  idempotencyKey: string;
}

export async function createPurchaseSuggestion(writes: ErpWrites, actor: WriteActor, input: CreatePurchaseSuggestionInput): Promise<{ id: number | null }> {
  const available = new Decimal(input.available);
  const { result } = await runWrite(writes.prisma, {
    actor,
    operation: "createPurchaseSuggestion",
    idempotency: { key: input.idempotencyKey, request: { sku: input.sku, warehouseCode: input.warehouseCode, available: available.toFixed() } },
    decide: async (tx) => {
      // The product row lock serializes two suggestions racing for the same sku.
      const [product] = await tx.$queryRaw<{ reorderPoint: string }[]>`
        SELECT "reorderPoint"::text AS "reorderPoint" FROM "Product" WHERE "sku" = ${input.sku} FOR UPDATE`;
      if (!product) throw crossdockError(ErrorCode.UNKNOWN_SKU, `No product ${input.sku}`, { field: "sku" });
      const known = await tx.inventoryLedger.findFirst({ where: { warehouseCode: input.warehouseCode }, select: { id: true } });
      if (!known) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${input.warehouseCode}`, { field: "warehouseCode" });
      const open = await tx.purchaseSuggestion.findFirst({ where: { sku: input.sku, warehouseCode: input.warehouseCode, status: "OPEN" } });
      if (open) return { result: { id: open.id as number | null }, audit: null };
      const reorderPoint = toDecimal(product.reorderPoint);
      if (available.gte(reorderPoint)) return { result: { id: null }, audit: null };
      const quantity = Decimal.max(reorderPoint, reorderPoint.mul(2).minus(available)).toFixed();
      const created = await tx.purchaseSuggestion.create({ data: { sku: input.sku, warehouseCode: input.warehouseCode, quantity, status: "OPEN" } });
      const detail = { sku: input.sku, warehouseCode: input.warehouseCode, available: available.toFixed(), reorderPoint: reorderPoint.toFixed(), quantity };
      return { result: { id: created.id }, audit: { entityType: "PurchaseSuggestion", entityKey: String(created.id), detail } };
    },
  });
  return result;
}
