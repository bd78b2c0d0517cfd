// Wires the process layer together: the durable feed reader that turns change-feed entries
// into runs and steps, and the step workers that execute them through the gateway. Stopping
// gracefully lets in-flight steps finish; an abrupt stop behaves like a crash (nothing recorded).
import { ChangeFeedReader, type ChangeFeedNotifier, type Database, type LocalGraphQLHandler, type Logger } from "@crossdock/platform";
import { ALL_FLOWS, ReorderPoints } from "../flows/index.js";
import type { FlowsConfig } from "../config.js";
import { FlowFeedReader } from "./feedReader.js";
import type { FlowMetrics } from "./flowMetrics.js";
import { FlowRegistry } from "./flowRegistry.js";
import { GatewayClient } from "./gatewayClient.js";
import { RunStore } from "./runStore.js";
import { StepRunner } from "./stepRunner.js";

export interface FlowEngineOptions {
  config: FlowsConfig;
  hub: Database;
  gatewayUrl: string | Promise<string>;
  /** The gateway in this process (embedded hub): called as a function instead of over HTTP. */
  localGateway?: Promise<LocalGraphQLHandler | undefined>;
  notifier?: ChangeFeedNotifier;
  metrics: FlowMetrics;
  logger: Logger;
}

export class FlowEngine {
  readonly store: RunStore;
  readonly reader: FlowFeedReader;
  private readonly runner: StepRunner;
  private readonly abort = new AbortController();
  private readonly gateway: GatewayClient;

  constructor(options: FlowEngineOptions) {
    const { config, hub, metrics, logger } = options;
    this.store = new RunStore(hub);
    const registry = new FlowRegistry(ALL_FLOWS);
    const gateway = (this.gateway = new GatewayClient({
      url: options.gatewayUrl,
      ...(options.localGateway ? { local: options.localGateway } : {}),
      serviceToken: config.serviceToken,
      timeoutMs: config.stepTimeoutMs,
      signal: this.abort.signal,
    }));
    const reorderPoints = new ReorderPoints();
    this.runner = new StepRunner({
      store: this.store,
      registry,
      gateway,
      metrics,
      logger,
      workerId: config.workerId,
      concurrency: config.concurrency ?? (hub.kind === "pglite" ? 8 : 32),
      maxAttempts: config.maxAttempts,
      maxUnavailableAttempts: config.maxUnavailableAttempts,
      backoff: { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs },
      leaseMs: config.leaseMs,
      pollMs: config.pollMs,
      signal: this.abort.signal,
    });
    this.reader = new FlowFeedReader({
      hub,
      feed: new ChangeFeedReader({ database: hub, ...(options.notifier ? { notifier: options.notifier } : {}) }),
      registry,
      metrics,
      logger,
      batchSize: config.feedBatchSize,
      pollMs: config.pollMs,
      startFrom: config.startFrom,
      prepare: async (events) => {
        if (events.some((e) => e.entityType === "InventoryPosition")) await reorderPoints.ensureFresh(gateway);
      },
      reorderPoint: (sku) => reorderPoints.get(sku),
      onSteps: () => this.runner.wake(),
    });
  }

  async start(workerId: string): Promise<void> {
    // Steps this worker had in flight when it last died are due again right away.
    await this.store.releaseOwnLeases(workerId);
    await this.reader.start();
    this.runner.start();
  }

  /** Wakes the workers (operator actions made steps due). */
  wake(): void {
    this.runner.wake();
  }

  async stop(options: { abrupt?: boolean } = {}): Promise<void> {
    if (options.abrupt) this.abort.abort();
    await this.reader.stop();
    await this.runner.stop();
    await this.gateway.close();
  }
}
