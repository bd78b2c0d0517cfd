// What every API handler of the fake broker sees (the decoded request header, a reader on the
// body, the broker's shared state) and returns (the response body, or null for none, as for
// acks=0 produce). Handlers own one API each and never touch sockets.
import type { GroupCoordinator } from "./groupCoordinator.js";
import type { TopicStore } from "./log.js";
import type { ProtocolReader } from "./protocolCodec.js";

export interface KafkaRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string;
  readonly body: ProtocolReader;
}

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface BrokerContext {
  readonly store: TopicStore;
  readonly groups: GroupCoordinator;
  readonly node: BrokerNode;
  readonly autoCreateTopics: boolean;
  /** True once the broker is stopping: long-polls return at once. */
  readonly closing: boolean;
}

export interface ApiHandler {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(request: KafkaRequest, broker: BrokerContext): Promise<Buffer | null>;
}
