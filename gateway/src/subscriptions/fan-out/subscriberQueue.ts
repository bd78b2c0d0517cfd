// One subscriber's outbox: responses in cursor order (each a promise, since resolutions finish
// out of order), bounded. A transport either pulls it as an async iterator (graphql-sse) or has
// it pushed into a sink (`pipeTo`, graphql-ws: no per-event iterator protocol in between). A
// full queue refuses more (the subscriber then reads on from the feed at its own pace); a queue
// that makes no progress for too long is replaced by one SLOW_CONSUMER error and ends, so memory
// never grows. A live event's source commit time travels with it, so the moment it is handed to
// the transport (written to the socket, or yielded to graphql-sse's writer) can be measured.
import type { EventResponse } from "../resolution/eventShaping.js";
import { SubscriptionErrorCode } from "../subscriptionErrors.js";

/** Where `pipeTo` writes a subscriber's responses, in order. */
export interface QueueSink {
  /** Writes one response; false when the transport's buffer is past its bound. */
  write(response: EventResponse): boolean;
  /** Resolves when the transport can take more (or its connection closed). */
  writable(): Promise<void>;
}

/** A queued response, with its change's source commit time (ms) when it is a live event. */
interface QueuedResponse {
  response: Promise<EventResponse>;
  committedAt: number | undefined;
}

export class SubscriberQueue implements AsyncIterableIterator<EventResponse> {
  private items: QueuedResponse[] = [];
  private ended = false;
  private closed = false;
  private wakeReader: (() => void) | undefined;
  private spaceWaiters: (() => void)[] = [];
  /** When the transport last took an event (or the queue last went from empty to non-empty). */
  private lastProgressAt = Date.now();

  constructor(
    private readonly maxQueued: number,
    private readonly onOverflow: () => void,
    private readonly onClose: () => void,
    /** A live event's response was handed to the transport; `committedAt` is its source commit (ms). */
    private readonly onDelivered: (committedAt: number) => void = () => undefined,
  ) {}

  get size(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed || this.ended;
  }

  /**
   * Appends a response; false when the queue is full or closed (see `isClosed`). `committedAt`
   * (a live event's source commit, ms) is reported to `onDelivered` when the transport takes it.
   */
  push(response: Promise<EventResponse>, committedAt?: number): boolean {
    if (this.isClosed || this.items.length >= this.maxQueued) return false;
    if (this.items.length === 0) this.lastProgressAt = Date.now();
    this.items.push({ response, committedAt });
    this.wakeReader?.();
    return true;
  }

  /** How long events have waited without the transport taking any (0 when nothing waits). */
  stalledMs(now: number): number {
    return this.items.length === 0 || this.isClosed ? 0 : now - this.lastProgressAt;
  }

  /** Ends the stream with SLOW_CONSUMER in place of everything queued. */
  overflow(): void {
    if (this.isClosed) return;
    this.items = [
      {
        response: Promise.resolve({
          errors: [
            {
              message: `Subscriber too slow: no event taken for too long with ${this.items.length} queued. Resubscribe with the last cursor received to resume.`,
              extensions: { code: SubscriptionErrorCode.SLOW_CONSUMER, maxQueued: this.maxQueued },
            },
          ],
        }),
        committedAt: undefined,
      },
    ];
    this.end();
    this.onOverflow();
  }

  /** Resolves when the queue has room (replays produce at the pace the client consumes). */
  async waitForSpace(): Promise<void> {
    while (!this.isClosed && this.items.length >= Math.max(1, this.maxQueued >> 1)) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  /** Ends after the queued responses are delivered (graceful drain). */
  end(): void {
    this.ended = true;
    this.wakeReader?.();
    this.releaseSpaceWaiters();
  }

  /** Resolves once everything queued was handed to the transport, or the queue closed. */
  async drained(): Promise<void> {
    while (!this.closed && this.items.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async next(): Promise<IteratorResult<EventResponse>> {
    for (;;) {
      const head = this.take();
      if (head === "done") return { done: true, value: undefined };
      if (head) {
        const value = await head.response;
        // graphql-sse writes what this yields to the response stream at once.
        this.delivered(head);
        return { done: false, value };
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.wakeReader = undefined;
    }
  }

  /**
   * Writes every response, in order, into `sink` until the queue ends (everything queued written)
   * or closes. While the sink is past its bound nothing is taken, so the queue fills up and the
   * subscriber falls back to reading the feed, or stalls into SLOW_CONSUMER, as with a slow reader.
   */
  async pipeTo(sink: QueueSink): Promise<void> {
    for (;;) {
      const head = this.take();
      if (head === "done") return;
      if (head) {
        const response = await head.response;
        if (this.closed) return;
        const accepted = sink.write(response);
        this.delivered(head);
        if (!accepted) await sink.writable();
        continue;
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.wakeReader = undefined;
    }
  }

  /** The next response to hand over, "done" when the stream is over, undefined when none waits. */
  private take(): QueuedResponse | "done" | undefined {
    if (this.closed) return "done";
    const head = this.items.shift();
    if (head) {
      this.lastProgressAt = Date.now();
      if (this.items.length < this.maxQueued >> 1) this.releaseSpaceWaiters();
      return head;
    }
    if (this.ended) {
      this.finish();
      return "done";
    }
    return undefined;
  }

  async return(): Promise<IteratorResult<EventResponse>> {
    this.finish();
    return { done: true, value: undefined };
  }

  /**
   * Ends the stream like `return`. Transports (graphql-sse) end only what looks like an async
   * generator (next, return and throw) when the client goes away; without it a closed SSE
   * stream would leave its subscription registered.
   */
  async throw(): Promise<IteratorResult<EventResponse>> {
    return this.return();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EventResponse> {
    return this;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.items = [];
    this.wakeReader?.();
    this.releaseSpaceWaiters();
    this.onClose();
  }

  private delivered(item: QueuedResponse): void {
    if (item.committedAt !== undefined) this.onDelivered(item.committedAt);
  }

  private releaseSpaceWaiters(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
