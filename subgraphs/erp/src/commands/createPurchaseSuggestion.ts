// createPurchaseSuggestion: procure-to-pay's first step. When stock of a sku at a warehouse
// is below the product's reorder point, suggest buying back up to twice that point. One open
// suggestion per sku × warehouse at most: asking again returns the open one.
import { recordAudit, runIdempotent } from "@crossdock/platform";
import { crossdockError, Decimal, ErrorCode, toDecimal } from "@crossdock/schema";
import type { ErpPrisma } from "../db.js";
import type { WriteActor } from "./submitOrder.js";
import { WRITE_TRANSACTION_OPTIONS } from "./transaction.js";

export interface CreatePurchaseSuggestionInput {
  sku: string;
  warehouseCode: string;
  /** Available stock as the caller observed it (the read model's onHand − allocated). */
  available: string;
  idempotencyKey: string;
}

export async function createPurchaseSuggestion(prisma: ErpPrisma, actor: WriteActor, input: CreatePurchaseSuggestionInput): Promise<{ id: number | null }> {
  const available = new Decimal(input.available);
  return prisma.$transaction(async (tx) => {
    const { result } = await runIdempotent({
      tx,
      scope: "createPurchaseSuggestion",
      key: input.idempotencyKey,
      request: { sku: input.sku, warehouseCode: input.warehouseCode, available: available.toFixed() },
      execute: async () => {
        // The product row lock serializes two suggestions racing for the same sku.
        const [product] = await tx.$queryRaw<{ reorderPoint: string }[]>`
          SELECT "reorderPoint"::text AS "reorderPoint" FROM "Product" WHERE "sku" = ${input.sku} FOR UPDATE`;
        if (!product) throw crossdockError(ErrorCode.UNKNOWN_SKU, `No product ${input.sku}`, { field: "sku" });
        const known = await tx.inventoryLedger.findFirst({ where: { warehouseCode: input.warehouseCode }, select: { id: true } });
        if (!known) throw crossdockError(ErrorCode.UNKNOWN_WAREHOUSE, `No warehouse ${input.warehouseCode}`, { field: "warehouseCode" });
        const open = await tx.purchaseSuggestion.findFirst({ where: { sku: input.sku, warehouseCode: input.warehouseCode, status: "OPEN" } });
        if (open) return { id: open.id };
        const reorderPoint = toDecimal(product.reorderPoint);
        if (available.gte(reorderPoint)) return { id: null };
        const quantity = Decimal.max(reorderPoint, reorderPoint.mul(2).minus(available)).toFixed();
        const created = await tx.purchaseSuggestion.create({ data: { sku: input.sku, warehouseCode: input.warehouseCode, quantity, status: "OPEN" } });
        await recordAudit(tx, {
          principal: actor.principal,
          requestId: actor.requestId,
          operation: "createPurchaseSuggestion",
          entityType: "PurchaseSuggestion",
          entityKey: String(created.id),
          detail: { sku: input.sku, warehouseCode: input.warehouseCode, available: available.toFixed(), reorderPoint: reorderPoint.toFixed(), quantity },
        });
        return { id: created.id };
      },
    });
    return result;
  }, WRITE_TRANSACTION_OPTIONS);
}
