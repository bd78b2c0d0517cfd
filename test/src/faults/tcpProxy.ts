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
  /**
   * Nothing gets through either way and nothing answers: a silent partition. Bytes in flight are
   * held, not dropped (TCP would retransmit them), and flow again when the link heals; a new
   * connection is accepted but reaches nothing until then.
   */
  | { mode: "blackhole" };

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

export class TcpProxy {
  private fault: TcpFault = { mode: "pass" };
  private readonly pairs = new Set<Pair>();
  /** What resumes when a black hole ends: held chunks and connections waiting for their upstream, in arrival order. */
  private readonly healers = new Set<() => void>();
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
    if (fault.mode !== "blackhole") {
      const held = [...this.healers];
      this.healers.clear();
      for (const heal of held) heal();
    }
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
    const pair: Pair = { client };
    this.pairs.add(pair);
    client.once("close", () => this.close(pair));
    if (this.fault.mode === "blackhole") {
      // Read nothing and connect nowhere until the link heals.
      client.pause();
      this.healers.add(() => this.connect(pair));
      return;
    }
    this.connect(pair);
  }

  private connect(pair: Pair): void {
    if (pair.client.destroyed) return;
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on("error", () => undefined);
    pair.upstream = upstream;
    upstream.once("close", () => this.close(pair));
    this.pipe(pair.client, upstream);
    this.pipe(upstream, pair.client);
    pair.client.resume();
  }

  private close(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  }

  /** Forwards `from` to `to` under whatever fault holds when each chunk arrives. */
  private pipe(from: net.Socket, to: net.Socket): void {
    // A chain of delays keeps the bytes in order when latency is on.
    let previous = Promise.resolve();
    const forward = (chunk: Buffer) => {
      previous = previous.then(() => void (to.destroyed || to.write(chunk)));
    };
    from.on("data", (chunk: Buffer) => {
      const fault = this.fault;
      if (fault.mode === "blackhole") {
        // Hold this chunk and stop reading: the sender's buffers fill up as behind a dead link.
        from.pause();
        this.healers.add(() => {
          forward(chunk);
          from.resume();
        });
        return;
      }
      if (fault.mode === "latency") {
        previous = previous.then(() => new Promise<void>((resolve) => setTimeout(resolve, fault.ms)));
      }
      forward(chunk);
    });
    from.once("end", () => void previous.then(() => to.end()));
  }

  private reset(pair: Pair): void {
    this.resets++;
    this.pairs.delete(pair);
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (pair.upstream && !pair.upstream.destroyed) pair.upstream.resetAndDestroy();
  }
}
