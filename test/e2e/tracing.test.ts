// Traces end to end, as Crossdock traces by default: its own spans, the trace context passed
// explicitly (no context manager, no SDK instrumentations). The scenario: orderTrace.ts.
import { describeOrderTrace } from "./orderTrace.js";

await describeOrderTrace({});
