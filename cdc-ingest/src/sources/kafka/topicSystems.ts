// Which system of record a Kafka topic carries. Debezium names topics `<prefix>.<schema>.<table>`
// (plus `<prefix>.transaction` and `__debezium-heartbeat.<prefix>`); Crossdock's connectors use
// the system name as the prefix. An explicit mapping wins for topics renamed by routing SMTs.
import { isSourceName, type SourceName } from "../../capture/capturedTables.js";

const HEARTBEAT_PREFIX = "__debezium-heartbeat.";

/** Topic -> system; a record for exact names, or a function for any other scheme. */
export type TopicSystemMapping = Readonly<Record<string, SourceName>> | ((topic: string) => SourceName | null);

/** Default Debezium naming; usable directly as the ingestor's `systemOf`. */
export function systemOfTopic(message: { readonly topic: string }): SourceName | null {
  const { topic } = message;
  const prefix = topic.startsWith(HEARTBEAT_PREFIX) ? topic.slice(HEARTBEAT_PREFIX.length) : topic.split(".", 1)[0];
  return prefix !== undefined && isSourceName(prefix) ? prefix : null;
}

export function topicSystemResolver(mapping: TopicSystemMapping | undefined): (message: { readonly topic: string }) => SourceName | null {
  if (mapping === undefined) return systemOfTopic;
  if (typeof mapping === "function") return (message) => mapping(message.topic) ?? systemOfTopic(message);
  return (message) => (Object.hasOwn(mapping, message.topic) ? mapping[message.topic]! : systemOfTopic(message));
}
