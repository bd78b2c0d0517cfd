// @crossdock/platform: the plumbing every Crossdock service shares — config getters, logs,
// metrics, databases and migrations, the HTTP/GraphQL server, principals, idempotency,
// audit and DataLoader helpers. It knows no business entity and no other service.
export * from "./env.js";
export * from "./logger.js";
export * from "./tracing.js";
export * from "./metrics.js";
export * from "./requestOutcome.js";
export * from "./database.js";
export * from "./migrator.js";
export * from "./prisma.js";
export * from "./principal.js";
export * from "./authorization.js";
export * from "./accessRules.js";
export * from "./schemaAuthorization.js";
export * from "./partnerScope.js";
export * from "./idempotency.js";
export * from "./audit.js";
export * from "./writeFrame.js";
export * from "./loaders.js";
export * from "./httpServer.js";
export * from "./errorMasking.js";
export * from "./databaseAvailability.js";
export * from "./subgraphServer.js";
export * from "./changeFeedReader.js";
export * from "./feedConsumers.js";
export * from "./feedTail.js";
export * from "./runService.js";
export * from "./processGuards.js";
