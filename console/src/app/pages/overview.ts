// Overview: state and lag per source, dead letters and parked flow runs, and the process KPIs,
// refreshed every few seconds. A source that is DOWN or more than a minute behind shows in red.
import { html } from "htm/preact";
import { usePolling } from "./usePolling.js";

const OVERVIEW = `query ConsoleOverview {
  syncStatus { sources { source capture state lagMs pendingChanges retainedWalBytes downReason lastEventAt eventsApplied deadLetters } }
  flowMetrics { runs running parked completed cancelled manualTouchRate feedLag
    orderCycleTime { count p50Ms p99Ms } fulfilmentLatency { count p50Ms p99Ms } }
}`;

interface OverviewData {
  syncStatus: { sources: SourceRow[] };
  flowMetrics: {
    runs: number;
    running: number;
    parked: number;
    completed: number;
    cancelled: number;
    manualTouchRate: number;
    feedLag: string;
    orderCycleTime: { count: number; p50Ms: number | null; p99Ms: number | null };
    fulfilmentLatency: { count: number; p50Ms: number | null; p99Ms: number | null };
  };
}

interface SourceRow {
  source: string;
  capture: string | null;
  state: "UP" | "CATCHING_UP" | "STALLED" | "DOWN" | "STANDBY" | null;
  lagMs: number;
  pendingChanges: number | null;
  retainedWalBytes: string | null;
  downReason: string | null;
  lastEventAt: string | null;
  eventsApplied: string;
  deadLetters: number;
}

const STATE_TONE = { UP: "good", CATCHING_UP: "warn", STALLED: "bad", DOWN: "bad", STANDBY: "good" } as const;

/** Bytes as B, kB, MB or GB (decimal string in, so a large slot never passes through a float first). */
export function bytes(value: string | null): string {
  if (value === null) return "–";
  const n = Number(value);
  const units = ["B", "kB", "MB", "GB", "TB"];
  let unit = 0;
  let scaled = n;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}

export function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "–" : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function Card({ label, value, tone = "" }: { label: string; value: string | number; tone?: string }) {
  return html`<div class="card">
    <div class=${`value ${tone}`}>${value}</div>
    <div class="label">${label}</div>
  </div>`;
}

export function Overview() {
  const { data, error } = usePolling<OverviewData>(OVERVIEW, {}, 3000);
  const deadLetters = data?.syncStatus.sources.reduce((sum, s) => sum + s.deadLetters, 0) ?? 0;
  const flows = data?.flowMetrics;
  return html`
    <h2>Overview</h2>
    ${error && html`<div class="error" role="alert">${error}</div>`}
    ${
      data &&
      html`
        <div class="cards">
          <${Card} label="Dead letters parked" value=${deadLetters} tone=${deadLetters > 0 ? "bad" : "good"} />
          <${Card} label="Flow runs parked" value=${flows!.parked} tone=${flows!.parked > 0 ? "bad" : "good"} />
          <${Card} label="Flow runs running" value=${flows!.running} />
          <${Card} label="Order cycle time p50" value=${seconds(flows!.orderCycleTime.p50Ms)} />
          <${Card} label="Fulfilment latency p99" value=${seconds(flows!.fulfilmentLatency.p99Ms)} />
          <${Card} label="Manual touch rate" value=${`${(flows!.manualTouchRate * 100).toFixed(1)} %`} />
        </div>
        <h2>Replication lag per source</h2>
        <table data-table="sources">
          <thead>
            <tr>
              <th>Source</th>
              <th>Capture</th>
              <th>State</th>
              <th>Lag</th>
              <th>Pending</th>
              <th>Retained WAL</th>
              <th>Last event</th>
              <th>Events applied</th>
              <th>Dead letters</th>
            </tr>
          </thead>
          <tbody>
            ${data.syncStatus.sources.map(
              (s) =>
                html`<tr data-source=${s.source}>
                  <td>${s.source}</td>
                  <td>${s.capture ?? "–"}</td>
                  <td class=${s.state ? STATE_TONE[s.state] : ""} data-state title=${s.downReason ?? ""}>${s.state ?? "not captured"}</td>
                  <td class=${s.lagMs > 60000 ? "bad" : s.lagMs > 5000 ? "warn" : "good"} data-lag>${seconds(s.lagMs)}</td>
                  <td>${s.pendingChanges ?? "–"}</td>
                  <td>${bytes(s.retainedWalBytes)}</td>
                  <td>${s.lastEventAt ?? "never"}</td>
                  <td>${s.eventsApplied}</td>
                  <td>${s.deadLetters}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      `
    }
  `;
}
