// The fault suite's report: per scenario, operations attempted, acknowledged, failed, lost and
// duplicated (both must be 0), the recovery time and what the scenario measured of its fault
// (its figures), printed as a table on stdout and written
// as JSON for CI to keep: in CROSSDOCK_FAULTS_REPORT_DIR, else beside the vitest report
// (CROSSDOCK_TEST_REPORT, which CI sets) under faults/, else in <tmp>/crossdock-faults.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { OracleResult } from "./faultOracle.js";

export interface ScenarioReport extends Omit<OracleResult, "problems"> {
  scenario: string;
  /** From the end of the fault (process restarted, proxy healed) until every service was ready and a write was acknowledged. */
  recoveryMs: number;
  /** /readyz answers per service during the fault, in order (0: no answer). */
  readiness: Record<string, number[]>;
  /** What the scenario measured of the fault itself (e.g. how long the killed process took to start again). */
  figures: Record<string, number>;
  problems: string[];
}

export class FaultReport {
  readonly scenarios: ScenarioReport[] = [];

  constructor(private readonly suite: string) {}

  add(report: ScenarioReport): void {
    this.scenarios.push(report);
    console.log(`[faults] ${report.scenario}: ${JSON.stringify({ ...report, scenario: undefined })}`);
  }

  /** Prints the table and writes the JSON file; returns the file's path. */
  write(): string {
    const header = ["scenario", "attempted", "acknowledged", "failed", "failed attempts", "lost", "duplicated", "parked", "recovery ms", "figures"];
    const rows = this.scenarios.map((s) => [
      s.scenario,
      String(s.attempted),
      String(s.acknowledged),
      String(s.failed),
      String(s.failedAttempts),
      String(s.lost),
      String(s.duplicated),
      String(s.parked.length),
      String(s.recoveryMs),
      Object.entries(s.figures)
        .map(([name, value]) => `${name}=${value}`)
        .join(" "),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join(" | ")
        .trimEnd();
    const table = [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
    const beside = process.env.CROSSDOCK_TEST_REPORT ? join(dirname(process.env.CROSSDOCK_TEST_REPORT), "faults") : undefined;
    const dir = process.env.CROSSDOCK_FAULTS_REPORT_DIR ?? beside ?? join(tmpdir(), "crossdock-faults");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${this.suite}.json`);
    writeFileSync(file, JSON.stringify({ suite: this.suite, at: new Date().toISOString(), scenarios: this.scenarios }, null, 2));
    console.log(`\nFault suite: ${this.suite}\n${table}\n(report: ${file})\n`);
    return file;
  }
}
