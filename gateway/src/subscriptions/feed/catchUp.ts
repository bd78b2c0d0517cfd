// Brings a holding subscriber from its start cursor up to the live tail: replays the feed range
// the tail already passed (at the pace the client consumes), then releases the live events held
// meanwhile. Cursor order and the subscriber's position make the hand-over gap- and duplicate-free.
import type { ChangeFeedReader } from "@crossdock/platform";
import { toStreamEvent, visibleToSubscriber } from "../streamFields.js";
import type { Subscriber } from "../fan-out/subscriber.js";

export interface CatchUpOptions {
  reader: ChangeFeedReader;
  /** The tail's head right now: everything up to it was dispatched before the subscriber held. */
  tailHead: () => bigint;
  /** The tail's head when the subscriber was registered (it holds everything after it). */
  target: bigint;
  pageSize: number;
}

export async function catchUp(subscriber: Subscriber, options: CatchUpOptions): Promise<void> {
  const { reader, pageSize } = options;
  const { field, filter } = subscriber;
  const narrowing = field.replayKey(filter);
  let target = options.target;
  for (;;) {
    while (subscriber.position < target) {
      const page = await reader.readAfter(subscriber.position, { limit: pageSize, entityTypes: [field.feedEntityType], upTo: target, ...narrowing });
      if (page.length === 0) break;
      for (const record of page) {
        await subscriber.queue.waitForSpace();
        if (subscriber.queue.isClosed) return;
        if (field.matches(filter, record.payload) && visibleToSubscriber(field, subscriber.principal, record.payload)) {
          // waitForSpace() left room and nothing else enqueues while holding: false means closed.
          if (!subscriber.enqueue(toStreamEvent(field, record))) return;
        } else {
          // Not for this subscriber, but passed: the position moves so the page read moves on.
          subscriber.position = record.cursor;
        }
      }
      if (page.length < pageSize) break;
    }
    subscriber.position = target > subscriber.position ? target : subscriber.position;
    if (subscriber.queue.isClosed) return;
    if (!subscriber.holdOverflowed && subscriber.goLive()) return;
    // Live traffic outran the hold bound (or the outbox filled up while releasing what was held):
    // read the feed up to the tail's current head as well, at the pace the client consumes.
    await subscriber.queue.waitForSpace();
    target = options.tailHead();
    subscriber.restartHold();
  }
}
