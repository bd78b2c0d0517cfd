// The gateway's subscription engine, shared by the graphql-ws and SSE transports: validates and
// plans a subscription, checks its cursor, registers it with the fan-out, runs its catch-up or
// initial state, and drains everything on shutdown. It never writes to the feed.
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import { tracedSync, tracingEnabled, type ChangeFeedReader, type ChangeFeedRecord, type Logger, type Principal } from "@crossdock/platform";
import { ErrorCode } from "@crossdock/schema";
import { catchUp } from "./feed/catchUp.js";
import type { ErrorFormatter } from "./resolution/eventShaping.js";
import { FeedTail } from "./feed/feedTail.js";
import type { GraphExecutor } from "./resolution/graphExecution.js";
import { currentEntityPages } from "./feed/initialState.js";
import { planSubscription, type SubscriptionPlan } from "./operationPlan.js";
import { ResolutionBatcher } from "./resolution/resolutionBatcher.js";
import { ResolutionQueryCache } from "./resolution/resolutionQuery.js";
import { FEED_ENTITY_TYPES, streamFieldForEntityType, toStreamEvent } from "./streamFields.js";
import { Subscriber } from "./fan-out/subscriber.js";
import { SubscriberQueue } from "./fan-out/subscriberQueue.js";
import { subscriptionError, SubscriptionErrorCode } from "./subscriptionErrors.js";
import type { SubscriptionMetrics } from "./subscriptionMetrics.js";
import { SubscriptionRegistry } from "./fan-out/subscriptionRegistry.js";

export interface SubscriptionLimits {
  /** Events queued for one subscriber; past it the subscriber reads on from the feed at its own pace. */
  maxQueuedEvents: number;
  /** A subscriber that takes no event for this long while events wait is closed as a slow consumer. */
  stallTimeoutMs: number;
  /** Live events held for a subscriber while it replays, before the replay reads further instead. */
  maxHeldEvents: number;
  /** Entity keys per batched resolution query. */
  batchSize: number;
  maxConcurrentResolutions: number;
  maxInitialEntities: number;
  feedPageSize: number;
  feedPollIntervalMs: number;
}

export interface SubscriptionServiceOptions {
  /** The change feed; without one the gateway refuses subscriptions with SERVICE_UNAVAILABLE. */
  reader: ChangeFeedReader | undefined;
  executor: GraphExecutor;
  formatError: ErrorFormatter;
  validationRules: readonly ValidationRule[];
  /** No "Did you mean …?" in validation errors (outside development, as Apollo Server does). */
  hideSuggestions?: boolean;
  limits: SubscriptionLimits;
  logger: Logger;
  metrics: SubscriptionMetrics;
  /** The gateway's authorization: errors refuse the subscription before it opens. */
  authorize?: (document: DocumentNode, principal: Principal) => readonly GraphQLError[];
}

export interface OpenOptions {
  /** Called when the subscriber overflowed its queue (transports close the connection). */
  onSlowConsumer?: () => void;
}

export type Prepared = { ok: true; plan: SubscriptionPlan } | { ok: false; errors: readonly GraphQLError[] };

const CURSOR_PATTERN = /^\d{1,19}$/;

export class SubscriptionService {
  private readonly registry: SubscriptionRegistry;
  private readonly tail: FeedTail | undefined;
  private readonly documents = new WeakMap<GraphQLSchema, Map<string, { document?: DocumentNode; errors: readonly GraphQLError[] }>>();
  private draining = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: SubscriptionServiceOptions) {
    const { limits, executor, logger, metrics } = options;
    const batcher = new ResolutionBatcher({
      executor,
      queries: new ResolutionQueryCache(),
      logger,
      batchSize: limits.batchSize,
      maxConcurrent: limits.maxConcurrentResolutions,
      onExecuted: (keys, ms) => metrics.resolutions.observe({ keys: keys > 1 ? "batch" : "single" }, ms / 1000),
    });
    this.registry = new SubscriptionRegistry({ batcher, schema: () => executor.schema(), formatError: options.formatError });
    this.tail =
      options.reader &&
      new FeedTail({
        reader: options.reader,
        entityTypes: FEED_ENTITY_TYPES,
        logger,
        pageSize: limits.feedPageSize,
        pollIntervalMs: limits.feedPollIntervalMs,
        onPage: (records) => this.dispatch(records),
      });
    metrics.collect(() => ({ active: this.registry.size, groups: this.registry.groupCount, head: this.tail?.head ?? 0n }));
  }

  async start(): Promise<void> {
    await this.tail?.start();
    // A subscriber whose transport took nothing for stallTimeoutMs while events waited is closed.
    this.sweeper = setInterval(
      () => {
        const now = Date.now();
        for (const subscriber of this.registry.subscribers()) {
          if (subscriber.queue.stalledMs(now) > this.options.limits.stallTimeoutMs) subscriber.queue.overflow();
        }
      },
      Math.min(1000, this.options.limits.stallTimeoutMs),
    );
    this.sweeper.unref();
  }

  schema(): GraphQLSchema {
    return this.options.executor.schema();
  }

  get activeSubscriptions(): number {
    return this.registry.size;
  }

  /** Parses (cached per schema and text) and validates with the gateway's rules. */
  parseAndValidate(query: string): { document?: DocumentNode; errors: readonly GraphQLError[] } {
    const schema = this.options.executor.schema();
    let perSchema = this.documents.get(schema);
    if (!perSchema) this.documents.set(schema, (perSchema = new Map()));
    let entry = perSchema.get(query);
    if (!entry) {
      try {
        const document = parse(query);
        const errors = validate(schema, document, [...specifiedRules, ...this.options.validationRules], {
          hideSuggestions: this.options.hideSuggestions ?? false,
        }).map((e) => (e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })));
        entry = { document, errors };
      } catch (error) {
        entry = {
          errors: [new GraphQLError(error instanceof GraphQLError ? error.message : "Syntax error", { extensions: { code: "GRAPHQL_PARSE_FAILED" } })],
        };
      }
      if (perSchema.size >= 1000) perSchema.delete(perSchema.keys().next().value!);
      perSchema.set(query, entry);
    }
    return entry;
  }

  prepare(document: DocumentNode, operationName: string | undefined | null, variables: Record<string, unknown> | undefined | null): Prepared {
    const planned = planSubscription(this.options.executor.schema(), document, operationName, variables ?? {});
    if (Array.isArray(planned)) {
      return { ok: false, errors: (planned as GraphQLError[]).map((e) => (e.extensions.code ? e : subscriptionError(ErrorCode.BAD_USER_INPUT, e.message))) };
    }
    return { ok: true, plan: planned as SubscriptionPlan };
  }

  /** Checks the cursor and starts the subscription; errors are returned before anything streams. */
  async open(plan: SubscriptionPlan, principal: Principal, options: OpenOptions = {}): Promise<SubscriberQueue | readonly GraphQLError[]> {
    const refused = this.options.authorize?.(plan.selection.document, principal) ?? [];
    if (refused.length > 0) return refused;
    if (this.draining) return [subscriptionError(ErrorCode.SERVICE_UNAVAILABLE, "The gateway is shutting down; subscribe again to reach another replica")];
    const { limits, reader, metrics } = this.options;
    const tail = this.tail;
    if (!reader || !tail) {
      return [
        subscriptionError(ErrorCode.SERVICE_UNAVAILABLE, "Subscriptions are not available on this gateway: it has no change feed (set HUB_DATABASE_URL)"),
      ];
    }
    let after: bigint | undefined;
    if (plan.after !== undefined) {
      if (!CURSOR_PATTERN.test(plan.after)) return [subscriptionError(ErrorCode.INVALID_CURSOR, "The `after` cursor is not one this API issued")];
      after = BigInt(plan.after);
      const [head, oldest] = await Promise.all([reader.headCursor(), reader.oldestRetainedCursor()]);
      if (after > head) return [subscriptionError(ErrorCode.INVALID_CURSOR, "The `after` cursor is ahead of the change feed")];
      const expired = oldest === null ? after < head : after + 1n < oldest;
      if (expired) {
        metrics.cursorExpired.inc();
        return [
          subscriptionError(
            SubscriptionErrorCode.CURSOR_EXPIRED,
            "The `after` cursor is older than the change feed's retention; resubscribe without it (includeCurrent gives the current state)",
            {
              oldestCursor: (oldest ?? head).toString(),
            },
          ),
        ];
      }
    }
    const tailHead = tail.head;
    const start = after ?? tailHead;
    const catchingUp = plan.includeCurrent || start < tailHead;
    const group = this.registry.groupFor(plan.selection, principal);
    const queue = new SubscriberQueue(
      limits.maxQueuedEvents,
      () => {
        metrics.slowConsumers.inc();
        options.onSlowConsumer?.();
      },
      // Called only later (when the stream ends), after `subscriber` below is initialised.
      () => this.registry.remove(subscriber),
      (committedAt) => metrics.delivery.observe((Date.now() - committedAt) / 1000),
    );
    const subscriber = new Subscriber(
      plan.field,
      plan.filter,
      principal,
      group,
      queue,
      start,
      limits.maxHeldEvents,
      catchingUp,
      (behind) =>
        // The outbox filled up with live events: continue from the feed, at the client's pace.
        void this.catchUp(behind, false, tail.head, reader, tail),
    );
    this.registry.add(subscriber);
    if (catchingUp) void this.catchUp(subscriber, plan.includeCurrent, tailHead, reader, tail);
    return queue;
  }

  private async catchUp(subscriber: Subscriber, includeCurrent: boolean, target: bigint, reader: ChangeFeedReader, tail: FeedTail): Promise<void> {
    const plan = { field: subscriber.field, filter: subscriber.filter };
    try {
      if (includeCurrent) {
        const pages = currentEntityPages({
          field: plan.field,
          filter: plan.filter,
          executor: this.options.executor,
          principal: subscriber.principal,
          limit: this.options.limits.maxInitialEntities,
        });
        for await (const entities of pages) {
          for (const entity of entities) {
            // At the client's pace: the initial state of every position is more than one outbox holds.
            await subscriber.queue.waitForSpace();
            if (!subscriber.enqueueCurrent(toStreamEvent(plan.field, { ...entity, cursor: target }))) return;
          }
        }
      }
      await catchUp(subscriber, { reader, tailHead: () => tail.head, target, pageSize: this.options.limits.feedPageSize });
    } catch (error) {
      const graphError = error instanceof GraphQLError ? error : new GraphQLError("The subscription could not catch up with the change feed");
      if (!(error instanceof GraphQLError)) this.options.logger.warn({ err: error }, "subscription catch-up failed");
      subscriber.queue.push(Promise.resolve({ errors: [this.options.formatError(graphError)] }));
      subscriber.queue.end();
    }
  }

  private dispatch(records: readonly ChangeFeedRecord[]): void {
    let delivered = 0;
    const now = Date.now();
    for (const record of records) {
      this.options.metrics.feedLag.observe((now - record.occurredAt.getTime()) / 1000);
      const field = streamFieldForEntityType(record.entityType);
      if (!field) continue;
      if (!record.traceparent || !tracingEnabled()) {
        delivered += this.registry.dispatch(field, toStreamEvent(field, record));
        continue;
      }
      // Traced: the push continues the change's trace (the apply that appended it); the
      // subscribers' resolutions it starts are its children.
      delivered += tracedSync(
        "gateway subscription push",
        {
          parent: record.traceparent,
          attributes: { "crossdock.service": "gateway", "crossdock.stream": field.name, "crossdock.cursor": record.cursor.toString() },
        },
        (span, traceparent) => {
          const count = this.registry.dispatch(field, { ...toStreamEvent(field, record), traceparent });
          span?.setAttribute("crossdock.subscribers", count);
          return count;
        },
      );
    }
    this.options.metrics.events.inc({ kind: "feed" }, records.length);
    this.options.metrics.events.inc({ kind: "delivered" }, delivered);
  }

  /**
   * Stops taking subscriptions and reading the feed, and waits (at most timeoutMs) until every
   * queued event went out. Streams are not completed: the transports then close connections the
   * way clients retry (WebSocket 1001), so they resubscribe elsewhere with their last cursor.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.sweeper);
    await this.tail?.stop();
    const subscribers = [...this.registry.subscribers()];
    await Promise.race([Promise.all(subscribers.map((s) => s.queue.drained())), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}
