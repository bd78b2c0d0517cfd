// The fault suite's TCP proxy on its own, against a real echo server: bytes pass unchanged,
// latency delays them in order, reset ends open and new connections, and a black hole holds
// bytes (nothing answers) until the link heals, when they arrive intact and in order.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpProxy } from "../src/faults/index.js";

/** A client connection that collects what comes back; resolves once connected or already refused. */
async function connect(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await Promise.race([new Promise<void>((resolve) => socket.once("connect", () => resolve())), closed]);
  return { socket, received: () => text, closed };
}

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("TcpProxy", () => {
  const echo = net.createServer((socket) => {
    // The proxy resets its upstream side too.
    socket.on("error", () => undefined);
    socket.pipe(socket);
  });
  let proxy: TcpProxy;

  beforeAll(async () => {
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    proxy = await new TcpProxy({ host: "127.0.0.1", port: (echo.address() as net.AddressInfo).port }).start();
  });

  afterAll(async () => {
    await proxy.stop();
    echo.close();
  });

  it("passes bytes through unchanged, and in order under latency", async () => {
    const client = await connect(proxy.port);
    client.socket.write("hello ");
    await until(() => client.received() === "hello ");
    proxy.set({ mode: "latency", ms: 50 });
    for (const part of ["a", "b", "c", "d"]) client.socket.write(part);
    await until(() => client.received() === "hello abcd");
    proxy.set({ mode: "pass" });
    client.socket.destroy();
  });

  it("reset ends the open connections and refuses new ones until it is lifted", async () => {
    const open = await connect(proxy.port);
    proxy.set({ mode: "reset" });
    await open.closed;
    const fresh = await connect(proxy.port);
    await fresh.closed;
    expect(fresh.received()).toBe("");
    proxy.set({ mode: "pass" });
    const after = await connect(proxy.port);
    after.socket.write("back");
    await until(() => after.received() === "back");
    after.socket.destroy();
  });

  it("a black hole answers nothing, then delivers what it held once the link heals", async () => {
    const open = await connect(proxy.port);
    proxy.set({ mode: "blackhole" });
    open.socket.write("held-1 ");
    const fresh = await connect(proxy.port);
    fresh.socket.write("waiting");
    open.socket.write("held-2");
    // Nothing comes back while the link is dark: ask the echo server directly to have a point in time.
    const direct = await connect((echo.address() as net.AddressInfo).port);
    direct.socket.write("ping");
    await until(() => direct.received() === "ping");
    direct.socket.destroy();
    expect(open.received()).toBe("");
    expect(fresh.received()).toBe("");
    proxy.set({ mode: "pass" });
    await until(() => open.received() === "held-1 held-2" && fresh.received() === "waiting");
    open.socket.destroy();
    fresh.socket.destroy();
  });
});
