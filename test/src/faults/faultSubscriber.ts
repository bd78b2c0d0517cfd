// A subscriber the way a client must behave under faults: it listens over graphql-ws and, when
// its stream or connection ends (a gateway killed, a reset), resubscribes with `after` = the
// last cursor it received. What it collected is checked against the change feed by the oracle.
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import { defaultHeadersFor } from "../identity.js";

const INVENTORY = `subscription($sku: ID, $wh: ID, $after: String) {
  inventoryChanged(sku: $sku, warehouseCode: $wh, after: $after) { cursor position { sku warehouseCode onHand } } }`;

export class ResumingSubscriber {
  /** Cursors received, in arrival order (a repeat or a step back is a broken promise). */
  readonly cursors: bigint[] = [];
  resumes = 0;
  private end: (() => void) | undefined;
  private running = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly gatewayUrls: string[],
    private readonly position: { sku: string; warehouseCode: string },
    /** Where it starts listening: the feed head when it was created. */
    private readonly startAfter: bigint,
  ) {}

  start(): void {
    this.loop = (async () => {
      for (let attempt = 0; this.running; attempt++) {
        // Starts on the last gateway and resumes through the next: a client fails over when its gateway is gone.
        const url = this.gatewayUrls[(this.gatewayUrls.length - 1 + attempt) % this.gatewayUrls.length]!;
        await this.listen(url);
        if (!this.running) break;
        this.resumes++;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
  }

  get watching(): { sku: string; warehouseCode: string; startAfter: bigint } {
    return { ...this.position, startAfter: this.startAfter };
  }

  get lastCursor(): bigint {
    return this.cursors.at(-1) ?? this.startAfter;
  }

  /** Resolves once a cursor at or past `cursor` arrived (or rejects at the deadline). */
  async caughtUpTo(cursor: bigint, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastCursor < cursor) {
      if (Date.now() > deadline) throw new Error(`subscriber at cursor ${this.lastCursor}, feed at ${cursor}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.end?.();
    await this.loop;
  }

  /** One subscription on one connection, until it ends for whatever reason. */
  private listen(url: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const client = createClient({
        url: url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: defaultHeadersFor(url),
        retryAttempts: 0,
        lazy: true,
      });
      const done = () => {
        void client.dispose();
        resolve();
      };
      this.end = done;
      client.subscribe(
        { query: INVENTORY, variables: { sku: this.position.sku, wh: this.position.warehouseCode, after: this.lastCursor.toString() } },
        {
          next: (value) => {
            const cursor = (value.data as { inventoryChanged?: { cursor?: string } } | null | undefined)?.inventoryChanged?.cursor;
            if (cursor) this.cursors.push(BigInt(cursor));
            else done();
          },
          error: done,
          complete: done,
        },
      );
    });
  }
}
