// Fault-test support (`@crossdock/test/faults`): source databases and a killable ingest process
// for the CDC crash suite, the recomputation oracles it checks against, an HTTP proxy that
// injects failures between the flows and the gateway, and the fault suite's toolkit: a TCP
// proxy, a process per service, the load, the oracle and the report. The benchmarks reuse the CDC parts.
export * from "./cdcFaultSupport.js";
export * from "./cdcFaultExpectations.js";
export * from "./faultProxy.js";
export * from "./tcpProxy.js";
export * from "./serviceProcess.js";
export * from "./processHub.js";
export * from "./faultLoad.js";
export * from "./faultSubscriber.js";
export * from "./faultOracle.js";
export * from "./faultReport.js";
export * from "./faultScenario.js";
export * from "./readinessWatch.js";
