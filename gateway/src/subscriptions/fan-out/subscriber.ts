// One active subscription: its filter, its position in the feed (the last cursor it was given),
// its selection group and its outbox. While it catches up (replay, initial state, or after its
// outbox filled up) live events are held back, bounded, and released in order once the replay
// from the feed reaches them.
import type { Principal } from "@crossdock/platform";
import type { EventResponse } from "../resolution/eventShaping.js";
import type { SelectionGroup } from "./selectionGroup.js";
import type { StreamEvent, StreamField, StreamFilter } from "../streamFields.js";
import type { SubscriberQueue } from "./subscriberQueue.js";

export class Subscriber {
  /** The last cursor enqueued: nothing at or below it is ever enqueued again (no duplicates). */
  position: bigint;
  private holding: StreamEvent[] | undefined;
  /** Live events arrived past the hold bound: the replay must read further from the feed. */
  holdOverflowed = false;

  constructor(
    readonly field: StreamField,
    readonly filter: StreamFilter,
    readonly principal: Principal,
    readonly group: SelectionGroup,
    readonly queue: SubscriberQueue,
    start: bigint,
    private readonly maxHeld: number,
    catchingUp: boolean,
    /** Called when a live event found the outbox full: the service replays from the feed instead. */
    private readonly onFellBehind: (subscriber: Subscriber) => void,
  ) {
    this.position = start;
    if (catchingUp) this.holding = [];
  }

  get catchingUp(): boolean {
    return this.holding !== undefined;
  }

  /** A live event from the feed tail (already matched by bucket and filter). */
  offer(event: StreamEvent): void {
    if (this.holding) {
      if (this.holding.length >= this.maxHeld) {
        this.holding = [];
        this.holdOverflowed = true;
      } else {
        this.holding.push(event);
      }
      return;
    }
    this.enqueueLive(event);
  }

  /** A live event from the tail while live: a full outbox switches to reading from the feed. */
  private enqueueLive(event: StreamEvent): void {
    if (event.cursor <= this.position || this.enqueue(event, true) || this.queue.isClosed) return;
    this.holding = [];
    this.holdOverflowed = false;
    this.onFellBehind(this);
  }

  /**
   * Enqueues an event in cursor order; false when the outbox is full or closed (position unchanged).
   * A `live` event (from the tail, not a replay of older entries) has its delivery measured.
   */
  enqueue(event: StreamEvent, live = false): boolean {
    if (event.cursor <= this.position) return !this.queue.isClosed;
    if (!this.queue.push(this.group.respond(event), live ? event.occurredAt.getTime() : undefined)) return false;
    this.position = event.cursor;
    return true;
  }

  /** Enqueues an initial-state event: it carries the feed head as cursor, shared by all of them. */
  enqueueCurrent(event: StreamEvent): boolean {
    const response: Promise<EventResponse> = this.group.respond(event, false);
    return this.queue.push(response);
  }

  /** Restarts holding after an overflow: the replay reads up to `head` from the feed instead. */
  restartHold(): void {
    this.holding = [];
    this.holdOverflowed = false;
  }

  /**
   * Ends the catch-up: held events past the replay go out in order, then the tail delivers live.
   * False when the outbox filled up meanwhile: the caller reads on from the feed instead.
   */
  goLive(): boolean {
    for (const event of this.holding ?? []) if (!this.enqueue(event, true)) return false;
    this.holding = undefined;
    return true;
  }
}
