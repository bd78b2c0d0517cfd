export * from "./graphqlClient.js";
export * from "./postgres.js";
export * from "./principals.js";
export * from "./identity.js";
