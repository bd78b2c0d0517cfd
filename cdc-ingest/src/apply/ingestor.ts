// Drives one capture source: poll -> decode -> apply in one read-model transaction -> ack.
// Undecodable messages go to the dead-letter queue inside the same transaction; a batch that
// fails to apply is retried with backoff, then applied event by event so one poison event is
// parked and the stream goes on. The source is acked only after the read model committed.
// Its source's state and lag come from sourceHealth.ts, which probes the source's head.
import { traced, tracingEnabled, type Database, type Logger } from "@crossdock/platform";
import type { DebeziumRowChange } from "../debezium/index.js";
import { MARKER_TABLES } from "../capture/capturedTables.js";
import { capturedAuditEntry, isAuditTampering, type CapturedAuditEntry } from "./auditProjection.js";
import type { CaptureSource, CapturedMessage, CompletedSnapshot } from "../sources/captureSource.js";
import { rowsGoneSinceSnapshot } from "./snapshotReconcile.js";
import type { FeedBus } from "../feed/feedBus.js";
import type { DeadLetterInput } from "../dlq/deadLetters.js";
import type { DeadLetterSink, ParkedDeadLetter } from "../dlq/deadLetterTopics.js";
import { deadLetterFor, decodeCaptured, type DecodedMessage, type SystemResolver } from "./decodeCaptured.js";
import { applyBatch, type BatchToApply } from "./applyBatch.js";
import { positionOf } from "./mirrorChanges.js";
import type { IngestMetrics } from "./ingestMetrics.js";
import { readModelStatistics } from "./readModelStatistics.js";
import { applyTurns } from "./applyTurns.js";
import { SourceHealth, type IngestProgress, type SourceHealthTimings, type SourceState } from "./sourceHealth.js";

export interface IngestorOptions {
  source: CaptureSource;
  hub: Database;
  bus: FeedBus;
  metrics: IngestMetrics;
  logger: Logger;
  batchSize?: number;
  /** Largest batch taken while a backlog lasts (default 8 x batchSize, at least batchSize). */
  maxBatchSize?: number;
  idleWaitMs?: number;
  /** Maps a message to the system of record it belongs to; default: topic prefix / source name. */
  systemOf?: SystemResolver;
  retryDelaysMs?: readonly number[];
  /** Also receives each dead letter once its batch committed (Kafka dead-letter topics). */
  deadLetterSink?: DeadLetterSink;
  /** How often and how patiently the source's head is probed (sourceHealth.ts). */
  health?: SourceHealthTimings;
}

/** A batch ready for the read model, with the captured messages behind its dead letters. */
interface PreparedBatch {
  batch: BatchToApply;
  parked: ParkedDeadLetter[];
}

export interface SourceStatus {
  source: string;
  kind: string;
  state: SourceState;
  /** Age of the oldest change not yet applied; 0 only when caught up with the source's head. */
  lagMs: number;
  pendingChanges: number | null;
  behindBytes: bigint | null;
  retainedWal: { slot: string; bytes: bigint } | null;
  lastCheckedAt: Date | null;
  downReason: string | null;
  lastEventAt: Date | null;
  eventsApplied: number;
  running: boolean;
  /** Another ingest captures this source; this one waits to take over (see CaptureSource.standby). */
  standby: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TRANSIENT_SQLSTATE_CLASSES = ["08", "40", "53", "57", "58"];
const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);

/** Connection loss, deadlock, serialization failure, resource or operator trouble: retry, do not park. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return TRANSIENT_NODE_CODES.has(code) || (code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2)));
}

/** The message of an error, without driver detail such as the full statement parameters. */
function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Commit time (ms) of the oldest change in a batch; null when it holds none. */
function oldestCommitOf(decoded: readonly DecodedMessage[]): number | null {
  let oldest: number | null = null;
  for (const d of decoded) {
    const at = d.change?.source.tsMs;
    if (at !== undefined && (oldest === null || at < oldest)) oldest = at;
  }
  return oldest;
}

export class Ingestor {
  private running = false;
  private stepChain: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private readonly state: Pick<SourceStatus, "source" | "kind" | "lastEventAt" | "eventsApplied" | "running" | "standby">;
  private readonly health: SourceHealth;
  private readonly checkHealth = () => this.health.check();
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private lastPollEmpty = false;
  private lastAppliedAt: Date | null = null;
  /** Commit time (ms) of the oldest change of the batch being applied. */
  private inFlightOldestMs: number | null = null;
  private readonly batchSize: number;
  private readonly maxBatchSize: number;
  /** What the next poll asks for: grows while polls come back full (a backlog), resets when not. */
  private pollSize: number;
  private readonly retryDelays: readonly number[];

  constructor(private readonly options: IngestorOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatchSize = Math.max(this.batchSize, options.maxBatchSize ?? this.batchSize * 8);
    this.pollSize = this.batchSize;
    this.retryDelays = options.retryDelaysMs ?? [100, 400, 1600];
    this.state = { source: options.source.name, kind: options.source.kind, lastEventAt: null, eventsApplied: 0, running: false, standby: false };
    this.health = new SourceHealth({
      ...options.health,
      source: options.source,
      progress: () => this.progress(),
      metrics: options.metrics,
      logger: options.logger,
    });
    options.metrics.healthChecks.add(this.checkHealth);
    options.metrics.standby.set({ source: options.source.name }, 0);
    // The source has started: a standby says so from the beginning.
    this.noteStandby();
    // The source calls back into the apply (the one writer of the read model for this source).
    options.source.onSnapshotApplied = (snapshot) => this.reconcileSnapshot(snapshot);
  }

  /** Applies, as deletes, the mirrored rows a completed full snapshot did not see (snapshotReconcile.ts). */
  private async reconcileSnapshot(snapshot: CompletedSnapshot): Promise<void> {
    const system = this.options.source.name;
    let after: { table: string; sourceId: string } | null = null;
    let removed = 0;
    do {
      const page = await rowsGoneSinceSnapshot(this.options.hub, { source: system, snapshot, after, limit: this.batchSize });
      if (page.changes.length > 0) {
        const message = { topic: `${system}.snapshot`, key: null, value: null, ackToken: snapshot.position };
        await this.applyWithRetry(
          system,
          page.changes.map((change) => ({ message, system, change, deadLetter: null })),
        );
      }
      removed += page.changes.length;
      after = page.next;
    } while (after);
    if (removed > 0)
      this.options.logger.info({ source: system, removed, position: snapshot.position }, "snapshot redone: rows deleted at the source meanwhile removed");
  }

  /** The latest health reading (see checkStatus for a fresh one). */
  status(): SourceStatus {
    const health = this.health.current();
    return {
      ...this.state,
      state: health.state,
      lagMs: health.lagMs,
      pendingChanges: health.pendingChanges,
      behindBytes: health.behindBytes,
      retainedWal: health.retainedWal,
      lastCheckedAt: health.checkedAt,
      downReason: health.downReason,
    };
  }

  /** Probes the source's head unless a reading is fresh (queries and scrapes), then reports. */
  async checkStatus(force = false): Promise<SourceStatus> {
    await this.health.check(force);
    return this.status();
  }

  /** What the loop knows about its own progress; sourceHealth.ts reads it. */
  progress(): IngestProgress {
    return {
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      oldestInFlightCommittedAt: this.inFlightOldestMs === null ? null : new Date(this.inFlightOldestMs),
      lastAppliedAt: this.lastAppliedAt,
      lastPollEmpty: this.lastPollEmpty,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.state.running = true;
    this.loop = this.run();
    this.health.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.state.running = false;
    this.health.stop();
    this.options.metrics.healthChecks.delete(this.checkHealth);
    await this.options.source.stop();
    await this.loop;
  }

  /** Processes everything currently available; used by replays and tests. Returns messages handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.step(0);
      total += handled;
      if (handled === 0) return total;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.step(this.options.idleWaitMs ?? 1000);
        failures = 0;
        this.consecutiveFailures = 0;
        if (this.options.source.exhausted) break;
      } catch (error) {
        // A source or read-model database that is restarting fails every step until it is back:
        // back off (250 ms doubling to 4 s), so recovery is quick without hammering it meanwhile.
        failures++;
        this.consecutiveFailures = failures;
        this.lastError = describeError(error);
        if (failures <= 3 || failures % 15 === 0) {
          this.options.logger.error({ error: describeError(error), source: this.state.source, failures }, "ingest step failed; retrying");
        }
        await sleep(Math.min(4000, 125 * 2 ** failures) * (0.75 + Math.random() / 2));
      }
    }
  }

  /**
   * One poll-apply-ack at a time per source: `drain()` (tests, replays) and the live loop take
   * turns, so batches of one source never overtake each other and a drain really is a barrier.
   */
  private step(waitMs: number): Promise<number> {
    const next = this.stepChain.then(() => this.stepOnce(waitMs));
    this.stepChain = next.catch(() => undefined);
    return next;
  }

  private async stepOnce(waitMs: number): Promise<number> {
    const { source } = this.options;
    const messages = await source.poll(this.pollSize, waitMs);
    this.noteStandby();
    // Behind: fewer, larger transactions amortise the per-batch statements. Caught up: small
    // batches again, so a single change is not held back waiting for company.
    this.pollSize = messages.length >= this.pollSize ? Math.min(this.pollSize * 2, this.maxBatchSize) : this.batchSize;
    this.lastPollEmpty = messages.length === 0;
    if (messages.length === 0) return 0;
    const turn = await applyTurns(this.options.hub).take();
    try {
      // Another source's batch held the read model: what arrived meanwhile joins this batch
      // rather than waiting for the next one (at a sustained rate that wait is most of the latency).
      if (turn.waited && messages.length < this.pollSize) messages.push(...(await source.poll(this.pollSize - messages.length, 0)));
      const decoded = messages.map((m) => this.decode(m));
      this.inFlightOldestMs = oldestCommitOf(decoded);
      await this.applyDecoded(decoded);
      this.lastAppliedAt = new Date();
      turn.done();
      await source.ack(messages);
    } catch (error) {
      turn.done();
      source.release?.(messages);
      throw error;
    } finally {
      this.inFlightOldestMs = null;
    }
    return messages.length;
  }

  /** Logs and counts a change of role: standing by for another ingest, or capturing (a takeover). */
  private noteStandby(): void {
    const standby = this.options.source.standby === true;
    if (standby === this.state.standby) return;
    this.state.standby = standby;
    this.options.metrics.standby.set({ source: this.state.source }, standby ? 1 : 0);
    if (standby) this.options.logger.info({ source: this.state.source }, "another ingest captures this source; standing by to take over");
    else this.options.logger.info({ source: this.state.source }, "took over capture of this source");
  }

  private decode(message: CapturedMessage): DecodedMessage {
    const decoded = decodeCaptured(message, this.options.source.name, this.options.systemOf);
    if (decoded.skipped) this.options.metrics.eventsSkipped.inc({ source: this.options.source.name, reason: decoded.skipped });
    if (decoded.heartbeatAt) this.state.lastEventAt = decoded.heartbeatAt;
    return decoded;
  }

  private dead(message: CapturedMessage, system: string | null, reason: string, error: string, attempts = 1): DecodedMessage {
    return deadLetterFor(message, system ?? this.options.source.name, reason, error, attempts);
  }

  private async applyDecoded(decoded: DecodedMessage[]): Promise<void> {
    const systems = new Set(decoded.map((d) => d.system ?? this.options.source.name));
    for (const system of systems) {
      const part = decoded.filter((d) => (d.system ?? this.options.source.name) === system);
      if (part.every((d) => !d.change && !d.deadLetter)) continue;
      await this.applyWithRetry(system, part);
    }
  }

  private toBatch(system: string, part: readonly DecodedMessage[]): PreparedBatch {
    // One pass: this runs for every batch of up to thousands of changes.
    const rows: DebeziumRowChange[] = [];
    const txIds = new Set<string>();
    const deadLetters: DeadLetterInput[] = [];
    const parked: ParkedDeadLetter[] = [];
    const auditEntries: CapturedAuditEntry[] = [];
    let position: string | null = null;
    let lastCommittedMs = -Infinity;
    let eventCount = 0;
    for (const d of part) {
      if (d.deadLetter) {
        deadLetters.push(d.deadLetter);
        parked.push({ letter: d.deadLetter, message: d.message });
      }
      const change = d.change;
      if (!change) continue;
      eventCount++;
      if (!MARKER_TABLES.has(change.table.table)) rows.push(change);
      else {
        const audit = capturedAuditEntry(system, change);
        if (audit) auditEntries.push(audit);
        else if (isAuditTampering(change)) {
          // Each system's audit table is append-only (a trigger refuses UPDATE and DELETE): a
          // change to a written entry means someone went around it. Parked loudly, never applied.
          const verb = change.op === "u" ? "updated" : "deleted";
          const letter = deadLetterFor(
            d.message,
            system,
            "AUDIT_TAMPERED",
            `an audit entry was ${verb} at the source; audit entries are append-only`,
          ).deadLetter!;
          deadLetters.push(letter);
          parked.push({ letter, message: d.message });
        }
      }
      if (change.source.txId !== null) txIds.add(change.source.txId);
      const at = positionOf(change);
      if (position === null || at > position) position = at;
      if (change.source.tsMs > lastCommittedMs) lastCommittedMs = change.source.tsMs;
    }
    const batch: BatchToApply = {
      source: system,
      changes: rows,
      txIds: [...txIds],
      deadLetters,
      auditEntries,
      position,
      lastCommittedAt: eventCount > 0 ? new Date(lastCommittedMs) : null,
      eventCount,
    };
    return { batch, parked };
  }

  private async applyWithRetry(system: string, part: DecodedMessage[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retryDelays.length; attempt++) {
      try {
        await this.applyAndPublish(this.toBatch(system, part));
        return;
      } catch (error) {
        lastError = error;
        this.options.metrics.batches.inc({ source: system, outcome: "retry" });
        const delay = this.retryDelays[attempt];
        if (delay === undefined) break;
        await sleep(delay * (0.5 + Math.random()));
      }
    }
    // A database that is down, restarting or deadlocked is not the events' fault: keep them and
    // let the loop retry the whole batch later. Only a deterministic failure isolates and parks.
    if (isTransient(lastError)) throw lastError;
    this.options.logger.warn({ error: describeError(lastError), source: system, size: part.length }, "batch keeps failing; applying event by event");
    for (const item of part) {
      try {
        await this.applyAndPublish(this.toBatch(system, [item]));
      } catch (error) {
        const parked = this.dead(item.message, system, "APPLY_FAILED", error instanceof Error ? error.message : String(error), this.retryDelays.length + 2);
        await this.applyAndPublish(this.toBatch(system, [parked]));
      }
    }
  }

  /**
   * Traced (tracing on, and the batch carries the trace of a source write): the apply continues the
   * first write's trace and links the others'; its feed entries keep the apply's traceparent, so
   * the flows and the subscription pushes that react continue the same trace.
   */
  private applyTraced(batch: BatchToApply) {
    const traceparents = tracingEnabled() ? (batch.auditEntries ?? []).flatMap((entry) => (entry.traceparent ? [entry.traceparent] : [])) : [];
    if (traceparents.length === 0) return applyBatch(this.options.hub, batch);
    return traced(
      "cdc-ingest apply",
      {
        parent: traceparents[0]!,
        links: traceparents.slice(1),
        attributes: { "crossdock.service": "cdc-ingest", "crossdock.source": batch.source, "crossdock.events": batch.eventCount },
      },
      (_span, traceparent) => applyBatch(this.options.hub, { ...batch, traceparent }),
    );
  }

  private async applyAndPublish({ batch, parked }: PreparedBatch): Promise<void> {
    const { metrics } = this.options;
    const result = await this.applyTraced(batch);
    // After the commit: the database holds every letter before any copy leaves for Kafka.
    if (parked.length > 0) this.options.deadLetterSink?.publish(parked);
    const now = Date.now();
    metrics.batches.inc({ source: batch.source, outcome: "applied" });
    // Counted per table once per batch (label hashing per change showed in profiles).
    const appliedPerTable = new Map<string, number>();
    const latencyLabels = { source: batch.source };
    for (const change of batch.changes) {
      appliedPerTable.set(change.table.table, (appliedPerTable.get(change.table.table) ?? 0) + 1);
      metrics.applyLatency.observe(latencyLabels, Math.max(0, now - change.source.tsMs) / 1000);
    }
    for (const [table, count] of appliedPerTable) metrics.eventsApplied.inc({ source: batch.source, table }, count);
    for (const letter of batch.deadLetters) metrics.deadLetters.inc({ source: letter.source, reason: letter.reason });
    this.state.eventsApplied += batch.eventCount;
    if (batch.lastCommittedAt) this.state.lastEventAt = batch.lastCommittedAt;
    this.options.bus.publish(
      result.feed,
      [...new Set(batch.txIds)].map((txId) => ({ source: batch.source, txId })),
    );
    readModelStatistics(this.options.hub).noteWritten(result.mirrorRowsChanged);
  }
}
