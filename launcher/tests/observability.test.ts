// The shipped Prometheus rules and Grafana dashboard stay true to the code: the rules are the
// current rendering of observability/slos.json, and every metric the rules and the dashboard
// name is exported by a running hub (scraped from each service's /metrics).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startHub, type RunningHub } from "../src/hub.js";
import { DASHBOARD_FILE, metricNamesIn, readSlos, renderRules, RULES_FILE } from "../src/observability/sloRules.js";

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}
interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

const rules = parse(readFileSync(RULES_FILE, "utf8")) as RuleFile;
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as Dashboard;
const named = [
  ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `${g.name}/${r.record ?? r.alert}`, expr: r.expr }))),
  ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `dashboard/${p.title}`, expr: t.expr }))),
];

describe("observability files", () => {
  let hub: RunningHub;

  beforeAll(async () => {
    const env = { ...process.env, LOG_LEVEL: "warn", NODE_ENV: "development", FLOWS_ENABLED: "1" };
    hub = await startHub({ port: 0, subgraphPorts: { erp: 0, crm: 0, wms: 0, ops: 0, flows: 0 }, dataDir: "memory", seedScale: 0.02, simulate: false, env });
  });
  afterAll(async () => hub?.stop());

  it("the Prometheus rules are the current rendering of slos.json", () => {
    expect(readFileSync(RULES_FILE, "utf8")).toBe(renderRules(readSlos()));
    const recorded = rules.groups.flatMap((g) => g.rules.map((r) => r.record)).filter(Boolean);
    // Four windows, an error ratio and a burn rate each, per SLO.
    expect(recorded).toHaveLength(readSlos().slos.length * 8);
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean);
    expect(alerts).toEqual(
      expect.arrayContaining(["CrossdockSloBurnFast", "CrossdockSloBurnSlow", "CrossdockCaptureLagging", "CrossdockInventoryAccuracyLow"]),
    );
  });

  it("names only metrics the services export", async () => {
    const endpoints = [hub.url, ...Object.values(hub.subgraphUrls), hub.flows.url].map((url) => url.replace(/\/graphql$/, "/metrics"));
    const exported = new Set<string>();
    for (const endpoint of endpoints) {
      const text = await (await fetch(endpoint)).text();
      for (const match of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(match[1]!);
    }
    expect(exported.size).toBeGreaterThan(20);
    const missing = named.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    expect(named.flatMap(({ expr }) => metricNamesIn(expr)).length).toBeGreaterThan(15);
  });

  it("catches a metric that does not exist", () => {
    expect(metricNamesIn('sum(rate(crossdock_no_such_thing_bucket{le="1"}[5m]))')).toEqual(["crossdock_no_such_thing"]);
  });
});
