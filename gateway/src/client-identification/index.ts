// Client identification (Apollo's apollographql-client-name/-version headers): bounded labels
// for logs and metrics, operations and field usage per client.
export { CLIENT_NAME_HEADER, CLIENT_VERSION_HEADER, createClientIdentifier, UNKNOWN_CLIENT, type ClientIdentity } from "./clientIdentity.js";
export { clientMetricsPlugin } from "./clientMetricsPlugin.js";
export { FieldUsage } from "./fieldUsage.js";
