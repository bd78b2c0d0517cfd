export * from "./graphqlClient.js";
export * from "./postgres.js";
