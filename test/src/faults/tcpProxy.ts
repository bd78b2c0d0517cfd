// A TCP proxy the fault suite puts between two parts of the hub (gateway and a subgraph, an
// ingest and Postgres): bytes pass through unchanged until a scenario switches it, at runtime,
// to add latency, reset every connection, or black-hole traffic (accept, read, never answer).
import net from "node:net";

export type TcpFault =
  | { mode: "pass" }
  /** Each chunk, both ways, is delayed this long (order kept). */
  | { mode: "latency"; ms: number }
  /** Open connections are reset (RST) and new ones are reset as soon as they are accepted. */
  | { mode: "reset" }
  /** Connections are accepted and read, but nothing is forwarded either way: a silent partition. */
  | { mode: "blackhole" };

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class TcpProxy {
  private fault: TcpFault = { mode: "pass" };
  private readonly pairs = new Set<Pair>();
  private readonly server = net.createServer((client) => this.accept(client));
  port = 0;
  /** Connections accepted so far and connections reset by the proxy (for the report). */
  accepted = 0;
  resets = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Switches the fault; "reset" also resets every connection open now. */
  set(fault: TcpFault): void {
    this.fault = fault;
    if (fault.mode === "reset") for (const pair of this.pairs) this.reset(pair);
  }

  get mode(): TcpFault["mode"] {
    return this.fault.mode;
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) this.reset(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    client.on("error", () => undefined);
    if (this.fault.mode === "reset") {
      this.resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on("error", () => undefined);
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once("close", close);
    upstream.once("close", close);
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards `from` to `to` under whatever fault holds when each chunk arrives. */
  private pipe(from: net.Socket, to: net.Socket): void {
    // A chain of delays keeps the bytes in order when latency is on.
    let previous = Promise.resolve();
    from.on("data", (chunk: Buffer) => {
      const fault = this.fault;
      if (fault.mode === "blackhole") return;
      if (fault.mode === "latency") {
        previous = previous.then(() => new Promise<void>((resolve) => setTimeout(resolve, fault.ms))).then(() => void (to.destroyed || to.write(chunk)));
        return;
      }
      previous = previous.then(() => void (to.destroyed || to.write(chunk)));
    });
    from.once("end", () => void previous.then(() => to.end()));
  }

  private reset(pair: Pair): void {
    this.resets++;
    this.pairs.delete(pair);
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (!pair.upstream.destroyed) pair.upstream.resetAndDestroy();
  }
}
