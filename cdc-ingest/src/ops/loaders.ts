// Per-request DataLoaders of the ops subgraph: N keys, one SQL statement.
import { DataLoader, groupLoader } from "@crossdock/platform";
import type { PrismaClient, InventoryPosition, OrderStatusView } from "../__generated__/prisma/client.js";

export interface OpsLoaders {
  positionByKey: DataLoader<string, InventoryPosition | null>;
  positionsBySku: DataLoader<string, InventoryPosition[]>;
  orderStatusByNumber: DataLoader<string, OrderStatusView | null>;
}

export const positionKey = (sku: string, warehouseCode: string) => `${sku}|${warehouseCode}`;

export function createOpsLoaders(prisma: PrismaClient): OpsLoaders {
  return {
    positionByKey: new DataLoader(async (keys: readonly string[]) => {
      const pairs = keys.map((k) => {
        const [sku, warehouseCode] = k.split("|");
        return { sku: sku!, warehouseCode: warehouseCode! };
      });
      const rows = await prisma.inventoryPosition.findMany({ where: { OR: pairs } });
      const byKey = new Map(rows.map((r) => [positionKey(r.sku, r.warehouseCode), r]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    positionsBySku: groupLoader(
      (skus) => prisma.inventoryPosition.findMany({ where: { sku: { in: [...skus] } }, orderBy: [{ sku: "asc" }, { warehouseCode: "asc" }] }),
      (row) => row.sku,
    ),
    orderStatusByNumber: new DataLoader(async (numbers: readonly string[]) => {
      const rows = await prisma.orderStatusView.findMany({ where: { orderNumber: { in: [...numbers] } } });
      const byNumber = new Map(rows.map((r) => [r.orderNumber, r]));
      return numbers.map((n) => byNumber.get(n) ?? null);
    }),
  };
}
