// Client identification: Apollo's client headers become bounded labels, and a real Apollo Server
// with the plugin counts operations and field usage per client, deprecated fields marked.
import { describe, expect, it } from "vitest";
import { ApolloServer } from "@apollo/server";
import { ANONYMOUS, createLogger, Registry } from "@crossdock/platform";
import { metricSum } from "@crossdock/test";
import { clientMetricsPlugin, createClientIdentifier, UNKNOWN_CLIENT, type ClientIdentity } from "../src/client-identification/index.js";
import type { GatewayContext } from "../src/context.js";

describe("client identity from headers", () => {
  it("reads Apollo's client headers and bounds the labels", () => {
    const identify = createClientIdentifier({ maxClients: 2 });
    expect(identify({})).toBe(UNKNOWN_CLIENT);
    expect(identify({ "apollographql-client-name": "partner-portal", "apollographql-client-version": "2.3.1" })).toEqual({
      name: "partner-portal",
      version: "2.3.1",
    });
    expect(identify({ "apollographql-client-name": "ios app" })).toEqual({ name: "ios app", version: "unknown" });
    // A third name is past the cap; a name with odd characters never becomes a label.
    expect(identify({ "apollographql-client-name": "third" }).name).toBe("other");
    expect(identify({ "apollographql-client-name": "partner-portal" }).name).toBe("partner-portal");
    expect(createClientIdentifier()({ "apollographql-client-name": 'x"} 1\n' }).name).toBe("other");
  });
});

describe("per-client metrics", () => {
  it("counts operations and field usage per client, deprecated fields marked", async () => {
    const registry = new Registry();
    const apollo = new ApolloServer<GatewayContext>({
      typeDefs: `type Query { order(id: ID!): Order } type Order { id: ID! status: String legacyCode: String @deprecated(reason: "use status") }`,
      resolvers: { Query: { order: (_: unknown, args: { id: string }) => ({ id: args.id, status: "OPEN", legacyCode: "O" }) } },
      plugins: [clientMetricsPlugin(registry)],
    });
    await apollo.start();
    const run = async (query: string, client: ClientIdentity) =>
      apollo.executeOperation({ query }, { contextValue: { requestId: "r", principal: ANONYMOUS, logger: createLogger("test", "silent"), client } });
    const portal = { name: "portal", version: "1.0" };
    const legacy = { name: "legacy-erp-sync", version: "0.9" };
    await run(`query Status { order(id: "1") { id status } }`, portal);
    await run(`query Status { order(id: "2") { id status } }`, portal);
    await run(`query Old { order(id: "1") { legacyCode ...F } } fragment F on Order { id }`, legacy);
    await run(`query Typo { order(id: "1") { statuss } }`, portal);
    const text = await registry.metrics();
    expect(metricSum(text, "crossdock_client_operations_total", { client: "portal", client_version: "1.0", operation: "Status", outcome: "ok" })).toBe(2);
    expect(metricSum(text, "crossdock_client_operations_total", { client: "legacy-erp-sync", operation: "Old" })).toBe(1);
    // The caller's mistake (an invalid field) is a client_error, not the hub's failure.
    expect(metricSum(text, "crossdock_client_operations_total", { client: "portal", outcome: "client_error" })).toBe(1);
    expect(metricSum(text, "crossdock_client_operations_total", { client: "portal", outcome: "error" })).toBe(0);
    expect(metricSum(text, "crossdock_field_usage_total", { client: "portal", field: "Order.status", deprecated: "false" })).toBe(2);
    expect(metricSum(text, "crossdock_field_usage_total", { client: "portal", field: "Query.order" })).toBe(2);
    // Who still uses the deprecated field: only the legacy client.
    expect(metricSum(text, "crossdock_field_usage_total", { field: "Order.legacyCode", deprecated: "true" })).toBe(1);
    expect(metricSum(text, "crossdock_field_usage_total", { client: "legacy-erp-sync", field: "Order.legacyCode" })).toBe(1);
    expect(metricSum(text, "crossdock_field_usage_total", { client: "legacy-erp-sync", field: "Order.id" })).toBe(1);
    // Counts are not spread twice: a second read sees the same totals.
    expect(metricSum(await registry.metrics(), "crossdock_field_usage_total", { client: "portal", field: "Order.status" })).toBe(2);
    await apollo.stop();
  });
});
