// FakeKafkaBroker: a TEST DOUBLE, not a Kafka. An in-memory, single-node server that speaks just
// enough of the Kafka wire protocol, at the exact versions kafkajs 2.2.4 negotiates, for a
// plain or idempotent producer, the admin client's createTopics and a consumer group to run
// against it. No replication, retention, compaction, transactions, ACLs or SASL, and no
// sequence checks for idempotent producers (ids are handed out, batches stored as sent); never ship it.
import { createServer, type Server, type Socket } from "node:net";
import type { ApiHandler, BrokerContext, BrokerNode, KafkaRequest } from "./apiHandler.js";
import { GroupCoordinator, type GroupSnapshot } from "./groupCoordinator.js";
import { apiVersionsHandler, unsupportedApiVersionsResponse } from "./handlers/apiVersions.js";
import { createTopicsHandler } from "./handlers/createTopics.js";
import { fetchHandler } from "./handlers/fetch.js";
import { findCoordinatorHandler } from "./handlers/findCoordinator.js";
import { heartbeatHandler } from "./handlers/heartbeat.js";
import { initProducerIdHandler } from "./handlers/initProducerId.js";
import { joinGroupHandler } from "./handlers/joinGroup.js";
import { leaveGroupHandler } from "./handlers/leaveGroup.js";
import { listOffsetsHandler } from "./handlers/listOffsets.js";
import { metadataHandler } from "./handlers/metadata.js";
import { offsetCommitHandler } from "./handlers/offsetCommit.js";
import { offsetFetchHandler } from "./handlers/offsetFetch.js";
import { produceHandler } from "./handlers/produce.js";
import { syncGroupHandler } from "./handlers/syncGroup.js";
import { TopicStore } from "./log.js";
import { ProtocolReader } from "./protocolCodec.js";
import { API_KEYS } from "./protocolConstants.js";

export interface FakeKafkaBrokerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  nodeId?: number;
  /** Partitions of auto-created topics (and of createTopic without a count); default 1. */
  defaultPartitions?: number;
  /** Create unknown topics named in a Metadata request, like auto.create.topics.enable; default true. */
  autoCreateTopics?: boolean;
}

export class FakeKafkaBroker {
  readonly store: TopicStore;
  readonly groups = new GroupCoordinator();
  /** Requests the broker could not decode or answer; a non-empty list means a protocol mismatch. */
  readonly protocolErrors: Error[] = [];
  private readonly handlers = new Map<number, ApiHandler>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private node: BrokerNode;
  private closing = false;

  private constructor(private readonly options: FakeKafkaBrokerOptions) {
    this.store = new TopicStore(options.defaultPartitions ?? 1);
    this.node = { nodeId: options.nodeId ?? 0, host: options.host ?? "127.0.0.1", port: 0 };
    const apis = [
      produceHandler,
      fetchHandler,
      listOffsetsHandler,
      metadataHandler,
      offsetCommitHandler,
      offsetFetchHandler,
      findCoordinatorHandler,
      joinGroupHandler,
      heartbeatHandler,
      leaveGroupHandler,
      syncGroupHandler,
      createTopicsHandler,
      initProducerIdHandler,
    ];
    for (const api of [...apis, apiVersionsHandler(() => [...this.handlers.values()])]) this.handlers.set(api.apiKey, api);
    this.server = createServer((socket) => this.accept(socket));
  }

  static async start(options: FakeKafkaBrokerOptions = {}): Promise<FakeKafkaBroker> {
    const broker = new FakeKafkaBroker(options);
    await new Promise<void>((resolve, reject) => {
      broker.server.once("error", reject);
      broker.server.listen(options.port ?? 0, broker.node.host, () => resolve());
    });
    const address = broker.server.address();
    if (address === null || typeof address === "string") throw new Error("FakeKafkaBroker did not get a TCP port");
    broker.node = { ...broker.node, port: address.port };
    return broker;
  }

  get port(): number {
    return this.node.port;
  }

  /** The bootstrap list to hand to kafkajs. */
  get brokers(): string[] {
    return [`${this.node.host}:${this.node.port}`];
  }

  createTopic(name: string, partitions?: number): boolean {
    return this.store.create(name, partitions);
  }

  highWatermark(topic: string, partition: number): string | null {
    return this.store.partition(topic, partition)?.highWatermark.toString() ?? null;
  }

  /** The group's committed offset (the next offset to read), or null when none was committed. */
  committedOffset(groupId: string, topic: string, partition: number): string | null {
    return this.groups.committedOffset(groupId, topic, partition)?.offset.toString() ?? null;
  }

  group(groupId: string): GroupSnapshot | undefined {
    return this.groups.snapshot(groupId);
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.store.wakeAll();
    this.groups.close();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private context(): BrokerContext {
    const isClosing = () => this.closing;
    return {
      store: this.store,
      groups: this.groups,
      node: this.node,
      autoCreateTopics: this.options.autoCreateTopics ?? true,
      // Read live: a fetch parked before stop() must see it when stop() wakes it.
      get closing() {
        return isClosing();
      },
    };
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        // Requests run concurrently; kafkajs matches responses by correlation id, and a parked
        // JoinGroup must not hold up the same connection's OffsetCommit.
        void this.respond(socket, frame);
      }
    });
  }

  private async respond(socket: Socket, frame: Buffer): Promise<void> {
    const reader = new ProtocolReader(frame);
    let request: KafkaRequest | undefined;
    let body: Buffer | null;
    try {
      request = { apiKey: reader.int16(), apiVersion: reader.int16(), correlationId: reader.int32(), clientId: reader.requiredString(), body: reader };
      const handler = this.handlers.get(request.apiKey);
      if (handler && request.apiVersion >= handler.minVersion && request.apiVersion <= handler.maxVersion) {
        body = await handler.handle(request, this.context());
      } else if (request.apiKey === API_KEYS.ApiVersions) {
        body = unsupportedApiVersionsResponse([...this.handlers.values()]);
      } else {
        throw new Error(`unsupported API ${request.apiKey} v${request.apiVersion}`);
      }
    } catch (error) {
      // Kafka closes the connection on a request it cannot parse; the client then reconnects.
      if (!this.closing) this.protocolErrors.push(error instanceof Error ? error : new Error(String(error)));
      socket.destroy();
      return;
    }
    if (body === null || socket.destroyed) return;
    const header = Buffer.alloc(8);
    header.writeInt32BE(4 + body.length, 0);
    header.writeInt32BE(request.correlationId, 4);
    socket.write(Buffer.concat([header, body]));
  }
}
