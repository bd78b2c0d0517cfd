// Checks and normalizes a submitOrder input before anything touches the database: lines
// present, each SKU once, quantities above zero with at most three decimals. It never looks
// anything up; unknown customers, SKUs and warehouses are decided inside the transaction.
import { crossdockError, Decimal, ErrorCode } from "@crossdock/schema";

export interface SubmitOrderLineInput {
  sku: string;
  quantity: string;
}

export interface SubmitOrderInput {
  idempotencyKey: string;
  customerNumber: string;
  warehouseCode?: string | null;
  lines: SubmitOrderLineInput[];
  requestedBy?: string | null;
}

/** The request as fingerprinted for idempotency: absent and null optional fields are the same request. */
export interface SubmitOrderRequest {
  idempotencyKey: string;
  customerNumber: string;
  warehouseCode: string | null;
  lines: { sku: string; quantity: string }[];
  requestedBy: string | null;
}

// numeric(18,3): fifteen integer digits at most.
const MAX_QUANTITY = new Decimal("1e15");

export function normalizeSubmitOrder(input: SubmitOrderInput): SubmitOrderRequest {
  const lines = normalizeOrderLines(input.lines);
  const warehouseCode = input.warehouseCode?.trim() || null;
  const requestedBy = input.requestedBy?.trim() || null;
  if (requestedBy !== null && requestedBy.length > 200)
    throw crossdockError(ErrorCode.BAD_USER_INPUT, "requestedBy is at most 200 characters", { field: "requestedBy" });
  return { idempotencyKey: input.idempotencyKey, customerNumber: input.customerNumber.trim(), warehouseCode, lines, requestedBy };
}

/** An order's lines as submitOrder and amendOrder take them: 1 to 500, each SKU once, sane quantities. */
export function normalizeOrderLines(input: readonly SubmitOrderLineInput[]): { sku: string; quantity: string }[] {
  if (input.length === 0) throw crossdockError(ErrorCode.BAD_USER_INPUT, "An order needs at least one line", { field: "lines" });
  if (input.length > 500) throw crossdockError(ErrorCode.BAD_USER_INPUT, "An order has at most 500 lines", { field: "lines" });
  const seen = new Map<string, number>();
  return input.map((line, index) => {
    const sku = line.sku.trim();
    // Duplicate SKUs are rejected rather than merged: two lines for one SKU is almost always a client bug,
    // and silently merging would renumber lines behind the caller's back.
    const earlier = seen.get(sku);
    if (earlier !== undefined) {
      throw crossdockError(ErrorCode.BAD_USER_INPUT, `SKU ${sku} appears on lines ${earlier + 1} and ${index + 1}; put each SKU on one line`, {
        field: `lines.${index}.sku`,
      });
    }
    seen.set(sku, index);
    const quantity = new Decimal(line.quantity);
    const field = `lines.${index}.quantity`;
    if (quantity.lte(0)) throw crossdockError(ErrorCode.INVALID_QUANTITY, `Quantity must be above 0, got ${line.quantity}`, { field });
    if (quantity.decimalPlaces() > 3)
      throw crossdockError(ErrorCode.INVALID_QUANTITY, `Quantity has at most 3 decimal places, got ${line.quantity}`, { field });
    if (quantity.gte(MAX_QUANTITY)) throw crossdockError(ErrorCode.INVALID_QUANTITY, `Quantity must be below ${MAX_QUANTITY.toFixed()}`, { field });
    return { sku, quantity: quantity.toFixed() };
  });
}
