// The honest state and lag of one capture source. Every few seconds (and on a syncStatus query
// or a metrics scrape, unless a reading is fresh) it probes the source's head and compares it
// with what the read model applied. Lag is the age of the oldest change not yet applied: its
// commit time when the source knows it, otherwise the last moment the read model was known to
// be complete (the latest reading that found it caught up). It is 0 only when caught up, so a
// stalled ingest or an unreachable source shows a lag that grows.
import type { Logger } from "@crossdock/platform";
import type { CaptureSource, SourceHeadReading } from "../sources/captureSource.js";
import type { IngestMetrics } from "./ingestMetrics.js";

/**
 * UP: caught up with the source's head. CATCHING_UP: behind, and applying. STALLED: behind with
 * nothing applied for a while. DOWN: the source cannot be reached, or the capture keeps failing.
 * STANDBY: another ingest captures the source; this one waits to take over, and the active one
 * reports the lag (a standby's metrics drop its lag and up series, so alerts see the active one).
 */
export type SourceState = "UP" | "CATCHING_UP" | "STALLED" | "DOWN" | "STANDBY";

/** What the ingest loop knows about its own progress (Ingestor.progress()). */
export interface IngestProgress {
  /** Failed steps of the live loop in a row (0 once a step works). */
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  /** Commit time of the oldest change polled and not yet applied. */
  readonly oldestInFlightCommittedAt: Date | null;
  /** When the ingest last applied a batch (this process's clock). */
  readonly lastAppliedAt: Date | null;
  /** The latest poll came back empty: all a source without a head probe can say about its head. */
  readonly lastPollEmpty: boolean;
}

export interface SourceHealthReading {
  readonly state: SourceState;
  readonly lagMs: number;
  readonly pendingChanges: number | null;
  readonly behindBytes: bigint | null;
  readonly retainedWal: { readonly slot: string; readonly bytes: bigint } | null;
  /** When this reading was taken; null before the first. */
  readonly checkedAt: Date | null;
  /** Why the source is DOWN; null otherwise. */
  readonly downReason: string | null;
}

export interface SourceHealthTimings {
  /** Between two probes of the running ingest (default 5 s). */
  readonly intervalMs?: number;
  /** A probe that takes longer counts as the source not answering (default 3 s). */
  readonly probeTimeoutMs?: number;
  /** Behind with nothing applied for this long is STALLED (default 30 s). */
  readonly stalledAfterMs?: number;
  /** Failed ingest steps in a row that make the source DOWN (default 3). */
  readonly downAfterFailures?: number;
  /** Queries and scrapes reuse a reading younger than this (default 1 s). */
  readonly freshForMs?: number;
}

export interface SourceHealthOptions extends SourceHealthTimings {
  readonly source: CaptureSource;
  readonly progress: () => IngestProgress;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SourceHealth {
  private reading: SourceHealthReading = {
    state: "CATCHING_UP",
    lagMs: 0,
    pendingChanges: null,
    behindBytes: null,
    retainedWal: null,
    checkedAt: null,
    downReason: null,
  };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<SourceHealthReading> | undefined;
  private readonly createdAt = Date.now();
  /** When a probe that found the read model caught up began: it was complete as of then. */
  private lastCaughtUpAt: number | null = null;
  /** When the first reading of the current stretch behind was taken. */
  private behindSince: number | null = null;
  private readonly timings: Required<SourceHealthTimings>;

  constructor(private readonly options: SourceHealthOptions) {
    this.timings = {
      intervalMs: options.intervalMs ?? 5000,
      probeTimeoutMs: options.probeTimeoutMs ?? 3000,
      stalledAfterMs: options.stalledAfterMs ?? 30_000,
      downAfterFailures: options.downAfterFailures ?? 3,
      freshForMs: options.freshForMs ?? 1000,
    };
  }

  start(): void {
    if (this.timer) return;
    void this.check(true);
    this.timer = setInterval(() => void this.check(true), this.timings.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  current(): SourceHealthReading {
    return this.reading;
  }

  /** A reading at most `freshForMs` old (or a new one when forced); concurrent callers share one probe. */
  check(force = false): Promise<SourceHealthReading> {
    if (this.inFlight) return this.inFlight;
    const { checkedAt } = this.reading;
    if (!force && checkedAt && Date.now() - checkedAt.getTime() < this.timings.freshForMs) return Promise.resolve(this.reading);
    const probe = this.probe().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = probe;
    return probe;
  }

  private async readHead(): Promise<{ head: SourceHeadReading | null; unreachable: string | null }> {
    const { source } = this.options;
    if (!source.probeHead) {
      // No way to ask the source: an empty poll (or a finished file) with nothing in flight is the best sign of its head.
      const progress = this.options.progress();
      const caughtUp = (progress.lastPollEmpty || source.exhausted === true) && progress.oldestInFlightCommittedAt === null;
      return { head: { caughtUp, pendingChanges: null, behindBytes: null, oldestPendingCommittedAt: null, retainedWal: null }, unreachable: null };
    }
    try {
      return { head: await withTimeout(source.probeHead(), this.timings.probeTimeoutMs, `the ${source.name} source`), unreachable: null };
    } catch (error) {
      return { head: null, unreachable: `the ${source.name} source cannot be reached: ${describeError(error)}` };
    }
  }

  private async probe(): Promise<SourceHealthReading> {
    const began = Date.now();
    const { head, unreachable } = await this.readHead();
    const progress = this.options.progress();
    const now = Date.now();
    const failing =
      progress.consecutiveFailures >= this.timings.downAfterFailures
        ? `the capture failed ${progress.consecutiveFailures} times in a row: ${progress.lastError ?? "unknown error"}`
        : null;
    const downReason = unreachable ?? head?.down ?? failing;
    const caughtUp = head !== null && head.caughtUp && !head.down;
    if (caughtUp) {
      this.lastCaughtUpAt = began;
      this.behindSince = null;
    } else {
      this.behindSince ??= began;
    }
    const known = [head?.oldestPendingCommittedAt, progress.oldestInFlightCommittedAt].flatMap((at) => (at ? [at.getTime()] : []));
    const oldestPending = known.length > 0 ? Math.min(...known) : (this.lastCaughtUpAt ?? this.createdAt);
    const lagMs = caughtUp || (head?.standby && !downReason) ? 0 : Math.max(0, now - oldestPending);
    let state: SourceState;
    if (head?.standby && !downReason) state = "STANDBY";
    else if (downReason) state = "DOWN";
    else if (caughtUp) state = "UP";
    else {
      const lastMoved = Math.max(progress.lastAppliedAt?.getTime() ?? -Infinity, this.behindSince ?? now);
      state = now - lastMoved < this.timings.stalledAfterMs ? "CATCHING_UP" : "STALLED";
    }
    const reading: SourceHealthReading = {
      state,
      lagMs,
      pendingChanges: head?.pendingChanges ?? null,
      behindBytes: head?.behindBytes ?? null,
      // Unreachable: the last retained WAL known stays shown (a slot pinning WAL does not go away meanwhile).
      retainedWal: head ? head.retainedWal : this.reading.retainedWal,
      checkedAt: new Date(now),
      downReason,
    };
    this.report(this.reading, reading);
    this.reading = reading;
    return reading;
  }

  private report(previous: SourceHealthReading, reading: SourceHealthReading): void {
    const { metrics, logger, source } = this.options;
    const labels = { source: source.name };
    if (reading.state === "STANDBY") {
      metrics.lagSeconds.remove(labels);
      metrics.sourceUp.remove(labels);
    } else {
      metrics.lagSeconds.set(labels, reading.lagMs / 1000);
      metrics.sourceUp.set(labels, reading.state === "DOWN" ? 0 : 1);
    }
    if (reading.pendingChanges === null) metrics.pendingChanges.remove(labels);
    else metrics.pendingChanges.set(labels, reading.pendingChanges);
    if (previous.retainedWal && previous.retainedWal.slot !== reading.retainedWal?.slot)
      metrics.retainedWalBytes.remove({ source: source.name, slot: previous.retainedWal.slot });
    if (reading.retainedWal) metrics.retainedWalBytes.set({ source: source.name, slot: reading.retainedWal.slot }, Number(reading.retainedWal.bytes));
    if (reading.state === "DOWN" && previous.state !== "DOWN") logger.warn({ source: source.name, reason: reading.downReason }, "capture source is DOWN");
    else if (previous.state === "DOWN" && reading.state !== "DOWN") logger.info({ source: source.name, state: reading.state }, "capture source is back");
  }
}
