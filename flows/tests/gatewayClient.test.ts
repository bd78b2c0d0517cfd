// The flows' gateway client when the gateway runs in the same process (the embedded hub): the
// call carries the same bearer token and body as over HTTP, coded answers sort into permanent and
// transient failures the same way, and a gateway that does not answer fails the call at the
// step's deadline or at once when the engine stops. (The HTTP path runs in test/e2e/flowsFaults.)
import net from "node:net";
import { describe, expect, it } from "vitest";
import type { LocalGraphQLHandler, LocalGraphQLRequest } from "@crossdock/platform";
import { GatewayClient, TransientStepError } from "../src/engine/gatewayClient.js";
import { PermanentStepError } from "../src/engine/types.js";

function answering(body: unknown, status = 200): { handler: LocalGraphQLHandler; seen: LocalGraphQLRequest[] } {
  const seen: LocalGraphQLRequest[] = [];
  return {
    seen,
    handler: async (request) => {
      seen.push(request);
      return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
    },
  };
}

const never: LocalGraphQLHandler = () => new Promise(() => undefined);

function client(local: LocalGraphQLHandler, options: { timeoutMs?: number; signal?: AbortSignal } = {}): GatewayClient {
  return new GatewayClient({
    url: "http://127.0.0.1:1/graphql",
    local: Promise.resolve(local),
    serviceToken: "flows-token",
    timeoutMs: options.timeoutMs ?? 5_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

describe("GatewayClient with the gateway in process", () => {
  it("sends the bearer token and the operation, and returns the data", async () => {
    const { handler, seen } = answering({ data: { order: { status: "RELEASED" } } });
    const data = await client(handler).request<{ order: { status: string } }>(`query($n: ID!) { order(orderNumber: $n) { status } }`, { n: "SO-1" });
    expect(data).toEqual({ order: { status: "RELEASED" } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers["authorization"]).toBe("Bearer flows-token");
    expect(seen[0]!.body).toEqual({ query: `query($n: ID!) { order(orderNumber: $n) { status } }`, variables: { n: "SO-1" } });
  });

  it("sorts coded answers as over HTTP: business rejections are permanent, the rest transient", async () => {
    const permanent = answering({ data: null, errors: [{ message: "order SO-1 is CANCELLED", extensions: { code: "INVALID_STATE" } }] });
    await expect(client(permanent.handler).request("{ x }")).rejects.toEqual(new PermanentStepError("order SO-1 is CANCELLED", "INVALID_STATE"));
    const transient = answering({ data: null, errors: [{ message: "subgraph down", extensions: { code: "SUBGRAPH_UNAVAILABLE" } }] });
    await expect(client(transient.handler).request("{ x }")).rejects.toMatchObject({ name: "TransientStepError", code: "SUBGRAPH_UNAVAILABLE" });
    const unauthenticated = answering({ errors: [{ message: "Unauthorized" }] }, 401);
    await expect(client(unauthenticated.handler).request("{ x }")).rejects.toMatchObject({ code: "HTTP_401" });
    const thrown: LocalGraphQLHandler = async () => {
      throw new Error("server is stopped");
    };
    await expect(client(thrown).request("{ x }")).rejects.toMatchObject({ code: "GATEWAY_UNREACHABLE", message: expect.stringContaining("server is stopped") });
  });

  it("gives up on a gateway that does not answer at the deadline, and at once when the engine stops", async () => {
    const started = Date.now();
    await expect(client(never, { timeoutMs: 120 }).request("{ x }")).rejects.toEqual(
      new TransientStepError("gateway did not answer within 120 ms", "GATEWAY_UNREACHABLE"),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);

    const stopping = new AbortController();
    const pending = client(never, { timeoutMs: 60_000, signal: stopping.signal }).request("{ x }");
    stopping.abort();
    await expect(pending).rejects.toMatchObject({ code: "GATEWAY_UNREACHABLE", message: expect.stringContaining("engine is stopping") });
    await expect(client(never, { signal: stopping.signal }).request("{ x }")).rejects.toMatchObject({ message: expect.stringContaining("engine is stopping") });
  });
});

describe("GatewayClient over HTTP", () => {
  it("a gateway that refuses connections (down or restarting) is unavailable: retried like an outage, not parked after a few tries", async () => {
    // A port nothing listens on: bound, then closed.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const http = new GatewayClient({ url: `http://127.0.0.1:${port}/graphql`, serviceToken: "flows-token", timeoutMs: 5_000 });
    try {
      await expect(http.request("{ x }")).rejects.toMatchObject({ code: "GATEWAY_UNREACHABLE", retryable: true });
    } finally {
      await http.close();
    }
  });
});
