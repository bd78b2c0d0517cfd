// The workers: claim due steps (one live step per run, so a run's steps run in order while
// runs run side by side), execute them through the gateway, and record the outcome — success,
// a retry after exponential backoff with jitter, or compensation and parking when the step
// cannot complete. A slow or failing run never holds up another.
import { isDatabaseUnavailable, traced, traceLogFields, tracingEnabled, type Logger } from "@crossdock/platform";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";
import { compensateRun } from "./compensation.js";
import type { FlowMetrics } from "./flowMetrics.js";
import type { FlowRegistry } from "./flowRegistry.js";
import { TransientStepError, type GatewayClient } from "./gatewayClient.js";
import { idempotencyKeyOf, type ClaimedStep, type RunStore } from "./runStore.js";
import { PermanentStepError } from "./types.js";

export interface StepRunnerOptions {
  store: RunStore;
  registry: FlowRegistry;
  gateway: GatewayClient;
  metrics: FlowMetrics;
  logger: Logger;
  workerId: string;
  concurrency: number;
  maxAttempts: number;
  /** Attempts while the called service is unavailable (retryable SERVICE_UNAVAILABLE) before parking. */
  maxUnavailableAttempts: number;
  backoff: BackoffPolicy;
  leaseMs: number;
  pollMs: number;
  /** Aborted on an abrupt stop: outcomes of in-flight steps are then not recorded (a crash). */
  signal: AbortSignal;
}

export class StepRunner {
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;

  constructor(private readonly options: StepRunnerOptions) {}

  start(): void {
    this.running = true;
    this.loopDone = this.loop();
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.inFlight]);
  }

  private async loop(): Promise<void> {
    const { store, concurrency, workerId, leaseMs, logger } = this.options;
    let failures = 0;
    while (this.running) {
      this.pendingWake = false;
      let claimed: ClaimedStep[] = [];
      const free = concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          claimed = await store.claim(free, workerId, leaseMs);
          failures = 0;
        } catch (error) {
          if (!this.running) break;
          // The hub database away (a restart): back off up to 5 s, and say so once, not twice a second.
          failures++;
          if (failures === 1 || failures % 20 === 0) logger.warn({ err: error, failures }, "claiming flow steps failed; trying again");
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** failures)));
          continue;
        }
      }
      for (const step of claimed) {
        const task = this.work(step).finally(() => {
          this.inFlight.delete(task);
          this.wake();
        });
        this.inFlight.add(task);
      }
      if (claimed.length > 0 && claimed.length === free) continue;
      if (this.pendingWake) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  /** Runs a claimed step, then the run's following steps as long as each is due right away. */
  private async work(first: ClaimedStep): Promise<void> {
    let step: ClaimedStep | null = first;
    while (step) step = await this.executeTraced(step);
  }

  /** Traced (tracing on and the step carries its cause's traceparent): the step continues that trace. */
  private executeTraced(step: ClaimedStep): Promise<ClaimedStep | null> {
    if (!step.traceparent || !tracingEnabled()) return this.execute(step);
    return traced(
      `flows step ${step.flow}.${step.kind}`,
      {
        parent: step.traceparent,
        attributes: { "crossdock.service": "flows", "crossdock.flow": step.flow, "crossdock.step": step.name, "crossdock.attempt": step.attempts },
      },
      (_span, traceparent) => this.execute(step, traceparent),
    );
  }

  /**
   * Executes one step and records its outcome; returns the run's next step when it was claimed with
   * the success. The step's gateway calls continue `traceparent` (its span's) when traced.
   */
  private async execute(step: ClaimedStep, traceparent: string | null = null): Promise<ClaimedStep | null> {
    const { store, registry, gateway, metrics, workerId, maxAttempts, maxUnavailableAttempts, leaseMs, signal } = this.options;
    const logger = traceparent ? this.options.logger.child(traceLogFields(traceparent)) : this.options.logger;
    const labels = { flow: step.flow, step: step.kind };
    const started = performance.now();
    const definition = registry.step(step.flow, step.kind);
    try {
      if (!definition) throw new PermanentStepError(`flow ${step.flow} has no step kind ${step.kind}`, "UNKNOWN_STEP");
      const result = await definition.run({
        runId: step.runId,
        stepName: step.name,
        input: step.input,
        facts: step.facts,
        orderNumber: step.orderNumber,
        customerNumber: step.customerNumber,
        idempotencyKey: idempotencyKeyOf(step.runId, step.name, step.generation),
        generation: step.generation,
        gateway: gateway.continuing(traceparent),
      });
      if (signal.aborted) return null;
      // A stopping worker takes no new step; the next one stays PENDING for whoever runs next.
      const { recorded, finished, next } = await store.succeed(
        step,
        workerId,
        result.output ?? null,
        result.facts ?? {},
        this.running ? { leaseMs } : undefined,
      );
      metrics.stepDuration.observe({ ...labels, outcome: "succeeded" }, (performance.now() - started) / 1000);
      if (recorded) metrics.observeSucceeded(step, result.output, new Date());
      metrics.observeFinished(finished);
      return next;
    } catch (error) {
      // Killed mid-step: leave the step leased to this worker; a restart reclaims and re-sends it.
      if (signal.aborted) return null;
      const permanent = error instanceof PermanentStepError;
      const code = error instanceof PermanentStepError || error instanceof TransientStepError ? error.code : "INTERNAL";
      const message = (error as Error).message ?? String(error);
      metrics.stepDuration.observe({ ...labels, outcome: "failed" }, (performance.now() - started) / 1000);
      metrics.stepFailures.inc({ ...labels, code });
      try {
        // A database restarting behind the gateway (SERVICE_UNAVAILABLE marked retryable: nothing was
        // processed) is not the step's fault: it is retried until the service is back, at most 5 s
        // apart, and not compensated for it; only an outage longer than maxUnavailableAttempts parks
        // the run (visible in flowRuns), so nothing retries out of sight forever.
        // The same when the hub database itself failed under the step (recording its outcome).
        const unavailable = (error instanceof TransientStepError && error.retryable) || isDatabaseUnavailable(error);
        if (!permanent && (step.attempts < maxAttempts || (unavailable && step.attempts < maxUnavailableAttempts))) {
          const backoff = unavailable ? { ...this.options.backoff, maxMs: Math.min(this.options.backoff.maxMs, 5000) } : this.options.backoff;
          await store.retryLater(step, workerId, { code, message }, backoffDelayMs(backoff, step.attempts));
          return null;
        }
        const problems = await compensateRun({ store, registry, gateway: gateway.continuing(traceparent), failed: step });
        const why = permanent ? `${code}: ${message}` : `gave up after ${step.attempts} attempts; last ${code}: ${message}`;
        await store.park(step, workerId, { code, message }, [`${step.name} ${why}`, ...problems].join("; "));
        logger.warn({ runId: step.runId, step: step.name, code, problems }, "flow run parked");
      } catch (recordError) {
        // The hub database is away (a restart): nothing is lost, the step is only retried. It is
        // handed back as soon as the database answers, not after its lease (a minute) runs out.
        logger.error({ err: recordError, runId: step.runId, step: step.name }, "could not record a step failure; handing it back once the database answers");
        await this.handBackWhenPossible(step, { code, message });
      }
      return null;
    }
  }

  /** Makes the step due again (retried at once) when the database takes writes; gives up when stopping or the lease ran out. */
  private async handBackWhenPossible(step: ClaimedStep, error: { code: string; message: string }): Promise<void> {
    const { store, workerId, leaseMs, signal } = this.options;
    const leaseEnds = step.claimedAt.getTime() + leaseMs;
    for (let attempt = 1; this.running && !signal.aborted && Date.now() < leaseEnds; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
      try {
        await store.retryLater(step, workerId, error, 0);
        return;
      } catch {
        // Still away: try again.
      }
    }
  }
}
