// Which tables of which system of record the hub captures. The projections read these;
// "AuditEntry" is captured only because every write transaction records one, so each
// mutation's transaction shows up here and read-your-writes can wait on it. The CRM's accounts
// and contacts feed only the search index (a contact's customer comes through its account).
// The ERP's "InventoryLedger" is only mirrored: the inventory accuracy KPI compares it with the
// WMS's on-hand (ops/inventoryAccuracy.ts).
export type SourceName = "erp" | "crm" | "wms";

export const SOURCE_NAMES: readonly SourceName[] = ["erp", "crm", "wms"];

export const CAPTURED_TABLES: Readonly<Record<SourceName, readonly string[]>> = {
  erp: ["Customer", "SalesOrder", "SalesOrderLine", "Invoice", "OrderAmendment", "InventoryLedger", "AuditEntry"],
  crm: ["Case", "Account", "Contact", "AuditEntry"],
  wms: ["Stock", "FulfillmentOrder", "Shipment", "ShipmentMilestone", "Receipt", "ReceiptLine", "ReorderPoint", "AuditEntry"],
};

/** Tables whose rows are only transaction markers, never mirrored. */
export const MARKER_TABLES = new Set(["AuditEntry"]);

export function isSourceName(value: string): value is SourceName {
  return (SOURCE_NAMES as readonly string[]).includes(value);
}
