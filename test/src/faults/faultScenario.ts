// One fault scenario from start to verdict: load through the public API, the fault in the middle
// of it, recovery timed from the fault's end until every service is ready and writes are
// acknowledged again, then the oracle. The scenario file only says what the fault is.
import pg from "pg";
import { FaultLoad, type LoadTarget } from "./faultLoad.js";
import { checkOracle } from "./faultOracle.js";
import type { FaultReport, ScenarioReport } from "./faultReport.js";
import { ResumingSubscriber } from "./faultSubscriber.js";
import type { ProcessHub } from "./processHub.js";
import { allReady, watchReadiness } from "./readinessWatch.js";

export interface ScenarioOptions {
  name: string;
  hub: ProcessHub;
  target: Omit<LoadTarget, "gatewayUrls">;
  /** Gateways the clients use (default all of the hub's). */
  gatewayUrls?: string[];
  /**
   * Injects the fault and returns once it is over. It calls healed() when the fault ends (a
   * supervisor starts the killed process again, the network heals): recovery is timed from there.
   */
  fault(load: FaultLoad, healed: () => void): Promise<void | Record<string, number>>;
  report: FaultReport;
  clients?: number;
  /** Subscribers, each starting on a different gateway (in turn) and resuming on the next (default 1). */
  subscribers?: number;
}

/** Resolves once the load has seen `count` more failed attempts than now, or `timeoutMs` passed (a fault may be invisible to it). */
export async function loadFailed(load: FaultLoad, count = 1, timeoutMs = 5000): Promise<void> {
  const failures = () => load.operations.reduce((n, o) => n + o.codes.length, 0);
  const target = failures() + count;
  const deadline = Date.now() + timeoutMs;
  while (failures() < target && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function feedHead(hubUrl: string): Promise<bigint> {
  const client = new pg.Client({ connectionString: hubUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ head: string }>(`SELECT COALESCE(MAX("cursor"), 0)::text AS head FROM "ChangeFeedEntry"`);
    return BigInt(rows[0]!.head);
  } finally {
    await client.end();
  }
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const { hub } = options;
  const gatewayUrls = options.gatewayUrls ?? hub.gatewayUrls;
  const load = new FaultLoad({ ...options.target, gatewayUrls });
  const head = await feedHead(hub.databaseUrls.hub);
  // Subscriber i gets the gateways rotated by i: they start on different ones.
  const subscribers = Array.from(
    { length: options.subscribers ?? 1 },
    (_, i) => new ResumingSubscriber([...gatewayUrls.slice(i % gatewayUrls.length), ...gatewayUrls.slice(0, i % gatewayUrls.length)], options.target, head),
  );
  for (const subscriber of subscribers) subscriber.start();
  const readyz = Object.fromEntries([...hub.services].map(([name, service]) => [name, service.readyzUrl]));
  const watch = watchReadiness(readyz);
  load.start(options.clients ?? 2);
  let readiness: Record<string, number[]> = {};
  let recoveryMs = -1;
  let figures: Record<string, number> = {};
  try {
    await load.acknowledgedMore(2);
    let healed = 0;
    figures = (await options.fault(load, () => (healed = Date.now()))) ?? {};
    healed ||= Date.now();
    await allReady(Object.values(readyz));
    await load.acknowledgedMore(1);
    recoveryMs = Date.now() - healed;
    // Some more load after recovery, so the oracle also covers what ran on the recovered hub.
    await load.acknowledgedMore(2);
  } finally {
    readiness = await watch.stop();
    await load.stop();
  }
  const result = await checkOracle({ load, databaseUrls: hub.databaseUrls, subscribers });
  for (const subscriber of subscribers) await subscriber.stop();
  const report: ScenarioReport = { scenario: options.name, ...result, recoveryMs, readiness, figures };
  options.report.add(report);
  return report;
}
