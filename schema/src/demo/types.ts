// The demo world: one deterministic, self-consistent picture of a distributor that each
// system of record seeds its own slice of. Quantities agree across systems by construction
// (WMS stock = receipts - shipments; WMS reserved = open fulfilment quantities).
export type DemoCustomerStatus = "ACTIVE" | "CREDIT_HOLD" | "BLOCKED";
export type DemoOrderStatus = "CREDIT_HOLD" | "RELEASED" | "PARTIALLY_SHIPPED" | "SHIPPED" | "INVOICED" | "CLOSED" | "CANCELLED";
export type DemoFulfillmentStatus = "RELEASED" | "PICKING" | "PICKED" | "SHIPPED" | "EXCEPTION" | "CANCELLED";
export type DemoShipmentStatus = "CREATED" | "IN_TRANSIT" | "OUT_FOR_DELIVERY" | "DELIVERED" | "EXCEPTION";

export interface DemoWarehouse {
  code: string;
  name: string;
  region: string;
  bins: string[];
}
export interface DemoProduct {
  sku: string;
  description: string;
  listPrice: string;
  unitOfMeasure: string;
  unitWeightKg: string;
  /** Stock below this per warehouse should raise a purchase suggestion. */
  reorderPoint: string;
}
export interface DemoContact {
  contactId: string;
  name: string;
  email: string;
  phone: string;
  role: string;
}
export interface DemoCustomer {
  customerNumber: string;
  name: string;
  status: DemoCustomerStatus;
  creditLimit: string;
  /** Sum of the totals of released, not yet closed orders. */
  openBalance: string;
  paymentTerms: string;
  currency: string;
  accountId: string;
  owner: string;
  segment: string;
  contacts: DemoContact[];
}
export interface DemoCustomerPrice {
  customerNumber: string;
  sku: string;
  unitPrice: string;
}
export interface DemoOrderLine {
  lineNumber: number;
  sku: string;
  quantity: string;
  unitPrice: string;
  quantityShipped: string;
}
export interface DemoMilestone {
  code: DemoShipmentStatus;
  location: string;
  occurredAt: string;
  note: string | null;
}
export interface DemoShipment {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
  status: DemoShipmentStatus;
  shippedAt: string;
  deliveredAt: string | null;
  milestones: DemoMilestone[];
}
export interface DemoFulfillment {
  fulfillmentId: string;
  status: DemoFulfillmentStatus;
  createdAt: string;
  lines: { sku: string; quantity: string; quantityPicked: string; bin: string }[];
  shipments: DemoShipment[];
}
export interface DemoInvoice {
  invoiceNumber: string;
  amount: string;
  status: "OPEN" | "PAID";
  issuedAt: string;
}
export interface DemoOrder {
  orderNumber: string;
  customerNumber: string;
  warehouseCode: string;
  status: DemoOrderStatus;
  channel: string;
  externalReference: string;
  placedAt: string;
  currency: string;
  billingHold: boolean;
  total: string;
  lines: DemoOrderLine[];
  invoice: DemoInvoice | null;
  fulfillment: DemoFulfillment | null;
}
export interface DemoStock {
  sku: string;
  warehouseCode: string;
  bin: string;
  received: string;
  shipped: string;
  onHand: string;
  reserved: string;
}
export interface DemoCase {
  caseNumber: string;
  customerNumber: string;
  orderNumber: string | null;
  subject: string;
  status: "OPEN" | "IN_PROGRESS" | "RESOLVED";
  priority: "LOW" | "MEDIUM" | "HIGH" | "URGENT";
  openedAt: string;
}
export interface DemoTimelineEntry {
  customerNumber: string;
  orderNumber: string | null;
  kind: string;
  summary: string;
  occurredAt: string;
}

export interface DemoWorld {
  warehouses: DemoWarehouse[];
  products: DemoProduct[];
  customers: DemoCustomer[];
  customerPrices: DemoCustomerPrice[];
  stock: DemoStock[];
  orders: DemoOrder[];
  cases: DemoCase[];
  timeline: DemoTimelineEntry[];
  /** The instant all demo history is placed before (fixed, so data is reproducible). */
  anchor: string;
}

export interface DemoWorldOptions {
  seed?: number;
  /** Multiplies products, customers and orders (CROSSDOCK_SEED_SCALE). */
  scale?: number;
}
