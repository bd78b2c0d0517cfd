// The graphql-ws fan-out's last step, written for the one-change-many-subscribers shape: every
// member of a selection group gets the same response object, so its JSON is made once (not once
// per subscriber, as graphql-ws's per-message stringify would) and each subscriber's `next`
// frame is that JSON with its operation id around it, written straight to its socket.
// graphql-ws keeps the protocol (connection_init, subscribe, complete, errors, close codes): it
// sees a stream that yields nothing and ends when the subscription does, then sends `complete`.
import WebSocket from "ws";
import type { EventResponse } from "../resolution/eventShaping.js";
import type { QueueSink, SubscriberQueue } from "../fan-out/subscriberQueue.js";

/** Bytes a socket may hold unsent in the process before its subscriptions wait for it to drain. */
const HIGH_WATER_BYTES = 64 * 1024;
const LOW_WATER_BYTES = 16 * 1024;

const payloadJson = new WeakMap<EventResponse, string>();

function jsonOf(response: EventResponse): string {
  let json = payloadJson.get(response);
  if (json === undefined) payloadJson.set(response, (json = JSON.stringify(response)));
  return json;
}

/** One connection's writes, shared by its subscriptions: backpressure is per socket. */
class SocketWriter {
  private waiters: (() => void)[] = [];

  constructor(private readonly socket: WebSocket) {
    socket.once("close", () => this.release());
  }

  /** Called by ws after each frame left the process (or failed with the connection). */
  private readonly afterWrite = (): void => {
    if (this.waiters.length > 0 && this.socket.bufferedAmount <= LOW_WATER_BYTES) this.release();
  };

  /** Sends one frame; false when the socket's unsent bytes are past the high-water mark. */
  send(frame: string): boolean {
    // A closing socket takes nothing more; its subscriptions end with the close.
    if (this.socket.readyState !== WebSocket.OPEN) return true;
    this.socket.send(frame, this.afterWrite);
    return this.socket.bufferedAmount <= HIGH_WATER_BYTES;
  }

  writable(): Promise<void> {
    if (this.socket.readyState !== WebSocket.OPEN || this.socket.bufferedAmount <= LOW_WATER_BYTES) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

const writers = new WeakMap<WebSocket, SocketWriter>();

function writerFor(socket: WebSocket): SocketWriter {
  let writer = writers.get(socket);
  if (!writer) writers.set(socket, (writer = new SocketWriter(socket)));
  return writer;
}

/** The sink writing one subscription's responses as graphql-transport-ws `next` messages. */
export function nextMessageSink(socket: WebSocket, operationId: string): QueueSink {
  const writer = writerFor(socket);
  const prefix = `{"id":${JSON.stringify(operationId)},"type":"next","payload":`;
  return {
    write: (response) => writer.send(`${prefix}${jsonOf(response)}}`),
    writable: () => writer.writable(),
  };
}

/**
 * Pipes `queue` into the socket and returns what graphql-ws iterates: it yields nothing, ends
 * once the last response was written (graphql-ws then sends `complete`), and its `return`
 * (the client's `complete`, or the socket closing) ends the subscription.
 */
export function deliverOverSocket(queue: SubscriberQueue, socket: WebSocket, operationId: string): AsyncIterableIterator<never> {
  const done: IteratorResult<never> = { done: true, value: undefined };
  let stopped!: () => void;
  // Ends when the pipe does, or at once when stopped (a pipe waiting on a full socket may not).
  const finished = Promise.race([queue.pipeTo(nextMessageSink(socket, operationId)), new Promise<void>((resolve) => (stopped = resolve))]).then(() => done);
  const stop = async (): Promise<IteratorResult<never>> => {
    stopped();
    await queue.return();
    return done;
  };
  return {
    next: () => finished,
    return: stop,
    throw: stop,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
