// Turns the SLOs declared in observability/slos.json into Prometheus recording and alerting
// rules: error ratios over four windows, burn rates against each objective's error budget, and
// the multi-window, multi-burn-rate alerts of the SRE workbook (page at 14.4x over 1 h and 5 min,
// or 6x over 6 h and 30 min). Also the operational alerts: capture lag, a source DOWN, WAL kept by a
// replication slot, dead letters, inventory accuracy (ERP ledger vs WMS), parked runs, a broken
// audit chain.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

export const OBSERVABILITY_DIR = fileURLToPath(new URL("../../../observability/", import.meta.url));
export const SLO_FILE = `${OBSERVABILITY_DIR}slos.json`;
export const RULES_FILE = `${OBSERVABILITY_DIR}prometheus/crossdock-rules.generated.yml`;
export const DASHBOARD_FILE = `${OBSERVABILITY_DIR}grafana/crossdock-overview.json`;

export interface Slo {
  name: string;
  description: string;
  objective: number;
  latency?: { histogram: string; thresholdSeconds: number; matchers?: string };
  errors?: { counter: string; errorMatchers: string; matchers?: string };
}

export interface SloFile {
  windowDays: number;
  slos: Slo[];
}

const WINDOWS = ["5m", "30m", "1h", "6h"] as const;
const ALERTS = [
  { name: "Fast", long: "1h", short: "5m", burn: 14.4, severity: "page" },
  { name: "Slow", long: "6h", short: "30m", burn: 6, severity: "page" },
] as const;

export function readSlos(path = SLO_FILE): SloFile {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as SloFile;
  for (const slo of parsed.slos) {
    if (!/^[a-z][a-z0-9_]*$/.test(slo.name)) throw new Error(`SLO name ${slo.name}: lower_snake_case only`);
    if (!(slo.objective > 0 && slo.objective < 1)) throw new Error(`SLO ${slo.name}: objective must be between 0 and 1`);
    if (Boolean(slo.latency) === Boolean(slo.errors)) throw new Error(`SLO ${slo.name}: declare exactly one of latency or errors`);
  }
  return parsed;
}

function selector(...parts: (string | undefined)[]): string {
  const present = parts.filter((part) => part && part.length > 0);
  return present.length === 0 ? "" : `{${present.join(",")}}`;
}

/** The share of bad events over `window` (0..1). */
export function errorRatioExpr(slo: Slo, window: string): string {
  if (slo.latency) {
    const { histogram, thresholdSeconds, matchers } = slo.latency;
    const good = `sum(rate(${histogram}_bucket${selector(matchers, `le="${thresholdSeconds}"`)}[${window}]))`;
    const all = `sum(rate(${histogram}_count${selector(matchers)}[${window}]))`;
    return `1 - (${good} / ${all})`;
  }
  const { counter, errorMatchers, matchers } = slo.errors!;
  return `sum(rate(${counter}${selector(matchers, errorMatchers)}[${window}])) / sum(rate(${counter}${selector(matchers)}[${window}]))`;
}

export function renderRules(file: SloFile): string {
  const recording = file.slos.flatMap((slo) =>
    WINDOWS.flatMap((window) => [
      { record: `crossdock:slo_error_ratio:rate${window}`, expr: errorRatioExpr(slo, window), labels: { slo: slo.name } },
      {
        record: `crossdock:slo_burn_rate:rate${window}`,
        expr: `crossdock:slo_error_ratio:rate${window}{slo="${slo.name}"} / ${(1 - slo.objective).toFixed(4)}`,
        labels: { slo: slo.name },
      },
    ]),
  );
  const burnAlerts = file.slos.flatMap((slo) =>
    ALERTS.map((alert) => ({
      alert: `CrossdockSloBurn${alert.name}`,
      expr:
        `crossdock:slo_burn_rate:rate${alert.long}{slo="${slo.name}"} > ${alert.burn}` +
        ` and crossdock:slo_burn_rate:rate${alert.short}{slo="${slo.name}"} > ${alert.burn}`,
      labels: { severity: alert.severity, slo: slo.name },
      annotations: {
        summary: `${slo.name} burns its ${file.windowDays}-day error budget ${alert.burn}x too fast`,
        description: slo.description,
      },
    })),
  );
  const operational = [
    {
      alert: "CrossdockCaptureLagging",
      expr: "max by (source) (crossdock_cdc_lag_seconds) > 60",
      for: "5m",
      labels: { severity: "page" },
      annotations: { summary: "Capture from {{ $labels.source }} is more than a minute behind" },
    },
    {
      alert: "CrossdockCaptureSourceDown",
      expr: "min by (source) (crossdock_cdc_source_up) == 0",
      for: "2m",
      labels: { severity: "page" },
      annotations: { summary: "Capture source {{ $labels.source }} is DOWN (unreachable, or its capture keeps failing)" },
    },
    {
      alert: "CrossdockReplicationSlotRetainingWal",
      expr: "max by (source, slot) (crossdock_cdc_replication_slot_retained_wal_bytes) > 10e9",
      for: "15m",
      labels: { severity: "page" },
      annotations: { summary: "Replication slot {{ $labels.slot }} ({{ $labels.source }}) keeps more than 10 GB of WAL on the source server" },
    },
    {
      alert: "CrossdockDeadLettersParked",
      expr: "sum by (source) (crossdock_cdc_dead_letters_parked) > 0",
      for: "15m",
      labels: { severity: "ticket" },
      annotations: { summary: "Change events from {{ $labels.source }} wait in the dead-letter queue" },
    },
    {
      alert: "CrossdockAuditChainBroken",
      expr: "max(crossdock_audit_chain_broken) > 0",
      for: "0m",
      labels: { severity: "page" },
      annotations: { summary: "The hub's audit log does not verify: an entry was changed or removed (run `crossdock audit verify`)" },
    },
    {
      alert: "CrossdockInventoryAccuracyLow",
      expr: "min(crossdock_kpi_inventory_accuracy_ratio) < 0.99",
      for: "1h",
      labels: { severity: "ticket" },
      annotations: { summary: "ERP stock ledger and WMS on-hand disagree on more than 1 % of positions for an hour" },
    },
    {
      alert: "CrossdockFlowRunsParked",
      expr: "sum(crossdock_flow_parked_runs) > 0",
      for: "15m",
      labels: { severity: "ticket" },
      annotations: { summary: "Flow runs are parked and need an operator (console: Flow runs)" },
    },
  ];
  const header = "# Generated from observability/slos.json by `npm run observability`; do not edit.\n";
  return (
    header +
    stringify(
      {
        groups: [
          { name: "crossdock-slo-recording", interval: "30s", rules: recording },
          { name: "crossdock-slo-alerts", rules: burnAlerts },
          { name: "crossdock-operations", rules: operational },
        ],
      },
      { lineWidth: 0 },
    )
  );
}

/** Every `crossdock_…` metric an expression names, with histogram suffixes folded to the metric. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.matchAll(/\bcrossdock_[a-z0-9_]+/g)) names.add(match[0].replace(/_(bucket|count|sum)$/, ""));
  return [...names];
}
