// Traces end to end with the SDK's http, undici and pg instrumentations (OTEL_NODE_ENABLED_INSTRUMENTATIONS)
// and the context manager they bring: the same one trace, now with their spans and @apollo/gateway's
// in it. The scenario: orderTrace.ts.
import { describeOrderTrace } from "./orderTrace.js";

await describeOrderTrace({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: "all" });
