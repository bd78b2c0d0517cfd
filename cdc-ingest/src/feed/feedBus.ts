// The in-process side of the change feed: after each read-model commit the ingest publishes
// the new entries here (embedded mode's stand-in for Postgres NOTIFY), and waiters for
// read-your-writes or subscriptions wake up without polling.
import { EventEmitter } from "node:events";
import type { FeedEntry } from "./feedTypes.js";

export class FeedBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(entries: readonly FeedEntry[], appliedTxIds: readonly { source: string; txId: string }[]): void {
    this.emitter.emit("applied", entries, appliedTxIds);
  }

  onApplied(listener: (entries: readonly FeedEntry[], appliedTxIds: readonly { source: string; txId: string }[]) => void): () => void {
    this.emitter.on("applied", listener);
    return () => this.emitter.off("applied", listener);
  }
}
