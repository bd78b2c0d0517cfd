// Fault-test support (`@crossdock/test/faults`): source databases and a killable ingest process
// for the CDC crash suite, the recomputation oracles it checks against, and an HTTP proxy that
// injects failures between the flows and the gateway. The benchmarks reuse the CDC parts.
export * from "./cdcFaultSupport.js";
export * from "./cdcFaultExpectations.js";
export * from "./faultProxy.js";
