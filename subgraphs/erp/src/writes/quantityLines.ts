// Checks the {sku, quantity} lines the flow-facing ERP writes take (shipments, returns):
// at least one line, each sku once, quantities above zero with at most three decimals.
import { crossdockError, Decimal, ErrorCode } from "@crossdock/schema";

export interface QuantityLineInput {
  sku: string;
  quantity: string;
}

export function normalizeQuantityLines(lines: readonly QuantityLineInput[]): QuantityLineInput[] {
  if (lines.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "At least one line is needed", { field: "lines" });
  const seen = new Set<string>();
  return lines.map((line, index) => {
    const sku = line.sku.trim();
    if (seen.has(sku)) throw crossdockError(ErrorCode.BAD_USER_INPUT, `SKU ${sku} appears more than once`, { field: `lines.${index}.sku` });
    seen.add(sku);
    const quantity = new Decimal(line.quantity);
    const field = `lines.${index}.quantity`;
    if (quantity.lte(0) || quantity.decimalPlaces() > 3 || quantity.gte("1e15")) {
      throw crossdockError(ErrorCode.INVALID_QUANTITY, `Quantity must be above 0 with at most 3 decimals, got ${line.quantity}`, { field });
    }
    return { sku, quantity: quantity.toFixed() };
  });
}
