// cdc-ingest: captures change from the systems of record, keeps the read model and change
// feed current, and serves them as the `ops` subgraph. In embedded mode the launcher hands
// over the source databases it already opened (PGlite allows one owner per directory).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  Counter,
  Gauge,
  countStatements,
  createLogger,
  createServiceMetrics,
  applyOrVerifyMigrations,
  openDatabase,
  prismaLogOptions,
  startSubgraphServer,
  type Database,
  type LocalGraphQLHandler,
  type RunningServer,
} from "@crossdock/platform";
import { PrismaClient } from "./__generated__/prisma/client.js";
import { loadConfig, type IngestConfig } from "./config.js";
import { SOURCE_NAMES, type SourceName } from "./capture/capturedTables.js";
import { OutboxSource } from "./sources/outboxSource.js";
import { KafkaSource } from "./sources/kafkaSource.js";
import { PgLogicalSource } from "./sources/pgLogicalSource.js";
import type { CaptureSource } from "./sources/captureSource.js";
import { Ingestor } from "./apply/ingestor.js";
import { createIngestMetrics } from "./apply/ingestMetrics.js";
import { registerInventoryAccuracy } from "./ops/inventoryAccuracy.js";
import { FeedBus } from "./feed/feedBus.js";
import { runFeedRetention, type PruneOutcome } from "./feed/feedRetention.js";
import { countExpiredConsumers } from "./ops/feedConsumers.js";
import { createOpsLoaders } from "./ops/loaders.js";
import { opsResolvers } from "./ops/resolvers/index.js";
import type { OpsContext, OpsServices } from "./ops/context.js";
import { replayDeadLetter } from "./dlq/replay.js";
import { parkedCountsBySource } from "./dlq/deadLetters.js";
import { createDeadLetterTopicMetrics, DeadLetterTopicPublisher, type DeadLetterTopicOptions } from "./dlq/deadLetterTopics.js";
import { AuditChainMonitor, AuditIntegrityCheck } from "./ops/auditChain.js";

export { loadConfig, type IngestConfig };
export * from "./debezium/index.js";
export { FeedBus } from "./feed/feedBus.js";
export type { FeedEntry } from "./feed/feedTypes.js";
export { JsonlSource } from "./sources/jsonlSource.js";
export { KafkaSource, systemOfTopic } from "./sources/kafkaSource.js";
export { PgLogicalSource, dropPgLogicalCapture } from "./sources/pgLogicalSource.js";
export { Ingestor } from "./apply/ingestor.js";
export { deriveOrderStage } from "./apply/orderStage.js";
export { auditChainsIn, verifyAuditChain, verifyAuditLog, type AuditChainReport, type AuditChainProblem } from "./ops/auditChain.js";

export interface IngestDependencies {
  /** Already-open source databases (embedded mode); otherwise opened from the config URLs. */
  sourceDatabases?: Partial<Record<SourceName, Database>>;
  /** Extra capture sources (kafka, jsonl) to run besides the configured ones. */
  extraSources?: CaptureSource[];
  bus?: FeedBus;
  /** Retry timing of the Kafka dead-letter topics' producer (tests shorten it). */
  deadLetterTopicRetry?: Pick<DeadLetterTopicOptions, "producerRetry" | "retryDelaysMs">;
}

export interface RunningIngest {
  url: string;
  /** The ops subgraph's /graphql for callers in this process (the embedded hub's gateway). */
  local: LocalGraphQLHandler;
  bus: FeedBus;
  hub: Database;
  /** Applies everything the sources hold right now (tests, replays). */
  drain(): Promise<number>;
  /** Runs feed retention now (it also runs hourly); null when it failed (logged). */
  pruneFeed(): Promise<PruneOutcome | null>;
  stop(): Promise<void>;
}

const SCHEMA_PATH = fileURLToPath(new URL("./ops/schema.graphql", import.meta.url));
export const HUB_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

export async function start(config: IngestConfig, deps: IngestDependencies = {}): Promise<RunningIngest> {
  const logger = createLogger("cdc-ingest", config.logLevel);
  const metrics = createServiceMetrics("ops");
  const ingestMetrics = createIngestMetrics(metrics.registry);
  const bus = deps.bus ?? new FeedBus();
  const hub = await openDatabase(config.hubDatabaseUrl);
  const owned: Database[] = [hub];
  const ingestors: Ingestor[] = [];
  let deadLetterTopics: DeadLetterTopicPublisher | undefined;
  let server: RunningServer | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  try {
    await applyOrVerifyMigrations(hub, HUB_MIGRATIONS_DIR, { service: "hub", mode: config.migrations });
    const prisma = new PrismaClient({ adapter: hub.adapter, log: [...prismaLogOptions] });
    countStatements(prisma, metrics);

    const sources: CaptureSource[] = [...(deps.extraSources ?? [])];
    if (config.capture === "outbox") {
      for (const name of SOURCE_NAMES) {
        let db = deps.sourceDatabases?.[name];
        if (!db && config.sourceDatabaseUrls[name]) {
          db = await openDatabase(config.sourceDatabaseUrls[name]!);
          owned.push(db);
        }
        // A read model without a checkpoint for this source (new, or rebuilt from empty) needs the
        // source's current rows again, even if an earlier hub already snapshotted them.
        const known = (await hub.query(`SELECT 1 FROM "SourceCheckpoint" WHERE "source" = $1`, [name])).length > 0;
        if (db) sources.push(new OutboxSource(name, db, { resnapshot: !known }));
        else logger.warn({ source: name }, "no database for this source; it is not captured");
      }
    } else if (config.capture === "pg-logical") {
      for (const name of SOURCE_NAMES) {
        const url = config.sourceDatabaseUrls[name];
        if (url) sources.push(new PgLogicalSource({ name, connectionString: url }));
        else logger.warn({ source: name }, `no ${name.toUpperCase()}_DATABASE_URL; this source is not captured`);
      }
    } else if (config.capture === "kafka") {
      const { brokers, groupId, clientId, topics, maxBuffered, security, deadLetterTopicPrefix } = config.kafka;
      sources.push(new KafkaSource({ name: "kafka", brokers, groupId, clientId, topics, maxBuffered, logger, kafka: security }));
      if (deadLetterTopicPrefix) {
        deadLetterTopics = new DeadLetterTopicPublisher({
          brokers,
          clientId: `${clientId}-dlq`,
          topicPrefix: deadLetterTopicPrefix,
          metrics: createDeadLetterTopicMetrics(metrics.registry),
          logger: logger.child({ component: "dlq-topics" }),
          ...(security ? { kafka: security } : {}),
          ...deps.deadLetterTopicRetry,
        });
      }
    } else if (config.capture !== "none") {
      throw new Error(`capture mode ${config.capture} is not available in this build`);
    }
    for (const source of sources) {
      await source.start();
      const systemOf = source instanceof KafkaSource ? source.systemOf : undefined;
      const deadLetterSink = source instanceof KafkaSource ? deadLetterTopics : undefined;
      ingestors.push(
        new Ingestor({
          source,
          hub,
          bus,
          metrics: ingestMetrics,
          logger: logger.child({ source: source.name }),
          batchSize: config.batchSize,
          ...(systemOf ? { systemOf } : {}),
          ...(deadLetterSink ? { deadLetterSink } : {}),
        }),
      );
    }
    // Catch up before serving, so a fresh start answers from a complete read model. The sources
    // drain side by side, as they run afterwards: applies still take turns (one read-model lock),
    // but one source decodes and prepares its next batch while the other's transaction runs.
    // Every drain settles before a failure is handled, so cleanup never runs beside an apply.
    const drained = await Promise.allSettled(ingestors.map((ingestor) => ingestor.drain()));
    const failed = drained.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
    for (const ingestor of ingestors) ingestor.start();

    // DLQ depth is read from the database at scrape time, so it is right whatever process parked them.
    new Gauge({
      name: "crossdock_cdc_dead_letters_parked",
      help: "Dead letters waiting for an operator (status PARKED), by source",
      labelNames: ["source"],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const [source, count] of await parkedCountsBySource(hub)) this.set({ source }, count);
      },
    });
    // The audit log's hash chain, checked at scrape time from the last entry verified (the first
    // scrape verifies it all). Once broken it stays 1 until restart; the first broken entry is logged.
    const auditChain = new AuditChainMonitor(hub);
    new Gauge({
      name: "crossdock_audit_chain_broken",
      help: "1 when the hub's audit log hash chain does not verify (an entry was changed or removed), else 0",
      registers: [metrics.registry],
      async collect() {
        try {
          const wasBroken = auditChain.firstBrokenEntry !== null;
          const broken = await auditChain.isBroken();
          if (broken && !wasBroken) logger.error({ entry: auditChain.firstBrokenEntry }, "audit log hash chain broken");
          this.set(broken ? 1 : 0);
        } catch (error) {
          logger.warn({ err: error }, "audit chain check failed; crossdock_audit_chain_broken keeps its last value");
        }
      },
    });
    registerInventoryAccuracy(metrics.registry, hub);
    const consumersExpired = new Counter({
      name: "crossdock_feed_consumer_expired_total",
      help: "Feed consumers retention expired (entries they had not read pruned at the hard cap), by consumer",
      labelNames: ["consumer"],
      registers: [metrics.registry],
    });
    new Gauge({
      name: "crossdock_feed_consumers_expired",
      help: "Feed consumers currently marked expired (they must recover before they read on)",
      registers: [metrics.registry],
      async collect() {
        this.set(await countExpiredConsumers(hub));
      },
    });
    const retention = { retentionHours: config.feedRetentionHours, maxRetentionHours: config.feedRetentionMaxHours };
    const prune = () => runFeedRetention(hub, retention, { logger, onExpired: (consumer) => consumersExpired.inc({ consumer }) });
    const services: OpsServices = {
      prisma,
      hub,
      bus,
      sourceStatuses: () => Promise.all(ingestors.map((i) => i.checkStatus())),
      replayDeadLetter: (id, actor) => replayDeadLetter({ hub, bus, id, actor }),
      auditIntegrity: new AuditIntegrityCheck(hub),
    };
    server = await startSubgraphServer<OpsContext>({
      name: "ops",
      typeDefs: readFileSync(SCHEMA_PATH, "utf8"),
      resolvers: opsResolvers,
      port: config.port,
      host: config.host,
      logger,
      metrics,
      createContext: (base) => ({ ...base, services, loaders: createOpsLoaders(prisma) }),
      // The read model's database: the ops subgraph answers from it and the ingest writes to it.
      isReady: () => hub.reachable(),
    });
    pruneTimer = setInterval(() => void prune(), 60 * 60_000);
    pruneTimer.unref();
    const running = server;
    return {
      url: running.url,
      local: running.local,
      bus,
      hub,
      pruneFeed: prune,
      async drain() {
        let total = 0;
        for (const ingestor of ingestors) total += await ingestor.drain();
        return total;
      },
      async stop() {
        clearInterval(pruneTimer);
        await running.stop();
        for (const ingestor of ingestors) await ingestor.stop();
        await deadLetterTopics?.stop();
        await prisma.$disconnect();
        for (const db of owned) await db.close();
      },
    };
  } catch (error) {
    clearInterval(pruneTimer);
    await server?.stop().catch(() => undefined);
    for (const ingestor of ingestors) await ingestor.stop().catch(() => undefined);
    await deadLetterTopics?.stop().catch(() => undefined);
    for (const db of owned) await db.close().catch(() => undefined);
    throw error;
  }
}
