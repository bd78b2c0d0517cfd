// @crossdock/test: the test support every package's suites share, imported by package name
// (never by a relative path across packages): the GraphQL client, Postgres databases, backends
// and principals. Two parts have subpaths of their own: `@crossdock/test/migrationDrift` (it
// declares vitest suites) and `@crossdock/test/kafkaTestBroker` (the Kafka test double).
export * from "./backends.js";
export * from "./graphqlClient.js";
export * from "./postgres.js";
export * from "./principals.js";
export * from "./faults/postgresCluster.js";
export * from "./identity.js";
