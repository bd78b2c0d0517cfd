// The change feed's public face in @crossdock/schema: names, entity types and payload schemas.
export * from "./feedContract.js";
export * from "./feedPayloads.js";
