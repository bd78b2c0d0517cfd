// @crossdock/schema: what every service shares and nothing else — scalars, the error
// registry, exact decimals, cursors, the change feed's contract, the demo world and
// supergraph composition. It imports no other workspace.
export * from "./errors.js";
export * from "./decimal.js";
export * from "./scalars.js";
export * from "./cursor.js";
export * from "./demo/index.js";
export * from "./compose.js";
export * from "./change-feed/index.js";
