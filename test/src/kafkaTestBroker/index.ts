// Public face of the Kafka-wire-protocol test double. FakeKafkaBroker is in-memory and
// single-node and implements only what kafkajs 2.2.4 uses; it is not a Kafka and lives in
// test/ only, for suites that drive kafkajs over a real socket.
export { FakeKafkaBroker, type FakeKafkaBrokerOptions } from "./server.js";
export type { GroupSnapshot, GroupState } from "./groupCoordinator.js";
