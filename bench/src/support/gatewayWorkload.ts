// What bench:gateway sends, shared by its own runs and the peer comparison (--peer hive): the
// federated order query, the ERP-only query it is compared with, the order numbers they ask
// for, and the Postgres databases a run creates for its hub.
import { openDatabase } from "@crossdock/platform";
import { createTestDatabases } from "@crossdock/test";
import { benchAuthorization } from "./benchIdentity.js";

/** order + customer + account + lines.product + stock + fulfilments: every subgraph but flows. */
export const FEDERATED = `query Federated($n: ID!) { order(orderNumber: $n) {
  orderNumber status total currency
  customer { name status account { owner segment } }
  lines { lineNumber quantity unitPrice product { sku description stock { warehouse { code } onHand reserved } } }
  fulfillments { status shipments { carrier trackingNumber status } }
} }`;

/** The part of FEDERATED the ERP answers on its own. */
export const DIRECT = `query Direct($n: ID!) { order(orderNumber: $n) {
  orderNumber status total currency customer { name status } lines { lineNumber quantity unitPrice product { sku description } }
} }`;

/** The first 200 order numbers, read through the gateway with the bench's token. */
export async function orderNumbers(gatewayUrl: string): Promise<string[]> {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...benchAuthorization() },
    body: JSON.stringify({ query: `{ orders(first: 200) { edges { node { orderNumber } } } }` }),
  });
  const body = (await response.json()) as { data: { orders: { edges: { node: { orderNumber: string } }[] } } };
  return body.data.orders.edges.map((e) => e.node.orderNumber);
}

/** The four databases of a Postgres hub, created for this run, and the environment that points the services at them. */
export async function createHubDatabases(adminUrl: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const { urls, drop } = await createTestDatabases(["erp", "crm", "wms", "hub"] as const, adminUrl);
  const admin = await openDatabase(adminUrl);
  const [{ wal_level: walLevel } = { wal_level: "replica" }] = await admin.query<{ wal_level: string }>("SHOW wal_level");
  await admin.close();
  const env = {
    // Postgres mode captures with pg-logical (ARCHITECTURE.md); a server without logical decoding gets the outbox.
    CROSSDOCK_CAPTURE: process.env.CROSSDOCK_CAPTURE ?? (walLevel === "logical" ? "pg-logical" : "outbox"),
    ERP_DATABASE_URL: urls.erp,
    CRM_DATABASE_URL: urls.crm,
    WMS_DATABASE_URL: urls.wms,
    HUB_DATABASE_URL: urls.hub,
  };
  return { env, drop };
}
