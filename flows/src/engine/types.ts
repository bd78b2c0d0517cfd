// The vocabulary of the engine: feed events in, run triggers out of each flow's router, step
// definitions the workers execute. Flows are plain data + functions; the engine owns state.
import type { ChangeFeedRecord } from "@crossdock/platform";
import type { GatewayClient } from "./gatewayClient.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type Facts = Record<string, Json | undefined>;

/** One change-feed entry as the flows see it: the platform's feed record. */
export type FeedEvent = ChangeFeedRecord;

export interface StepPlan {
  /** Unique within the run and deterministic from the event, so a replayed event adds nothing. */
  name: string;
  /** Which StepDefinition of the flow runs it. */
  kind: string;
  input: Facts;
  /** Not before this instant (ISO-8601): a timer, e.g. an SLA running out. Default: at once. */
  notBefore?: string;
}

/** Business timestamps a run carries for the KPIs; the first release and shipment win, the last delivery wins. */
export interface RunMilestones {
  releasedAt?: Date;
  shippedAt?: Date;
  deliveredAt?: Date;
}

export interface RunTrigger {
  flow: string;
  subjectKey: string;
  orderNumber?: string | null;
  customerNumber?: string | null;
  /** Create the run when it does not exist; otherwise the trigger only touches an existing run. */
  create: boolean;
  steps?: StepPlan[];
  /** Merged into the run's facts (top-level keys). `done: true` lets the run finish once no step is live. */
  facts?: Facts;
  milestones?: RunMilestones;
  /** Pending (not yet started) steps of these kinds are skipped, e.g. on cancellation. */
  skipPendingKinds?: string[];
  /** The W3C traceparent of the feed entry that caused it; its steps continue that trace. */
  traceparent?: string | null;
}

export function runIdOf(flow: string, subjectKey: string): string {
  return `${flow}:${subjectKey}`;
}

export interface RunSummary {
  id: string;
  flow: string;
  subjectKey: string;
  orderNumber: string | null;
  status: string;
  facts: Facts;
}

/** What routers may ask about runs (committed ones and those triggered earlier in the same batch). */
export interface RunLookup {
  activeRuns(flow: string, where: { fact?: [string, string]; orderNumber?: string }): Promise<RunSummary[]>;
  reorderPoint(sku: string): string | undefined;
}

export interface FlowDefinition {
  name: string;
  /** Feed entity types this flow reacts to (the reader reads only these). */
  entityTypes: readonly string[];
  steps: Record<string, StepDefinition>;
  route(event: FeedEvent, lookup: RunLookup): Promise<RunTrigger[]> | RunTrigger[];
}

export interface StepContext {
  runId: string;
  stepName: string;
  input: Facts;
  facts: Facts;
  orderNumber: string | null;
  customerNumber: string | null;
  /** flow run id + step name (+ generation after a compensated re-run): passed to the mutation. */
  idempotencyKey: string;
  /** 0 for the step's first run; higher after an operator re-ran it from a compensated run. */
  generation: number;
  gateway: GatewayClient;
  /** For compensate(): what the step returned when it succeeded. */
  output?: Json;
}

export interface StepResult {
  output?: Json;
  facts?: Facts;
}

export interface StepDefinition {
  run(ctx: StepContext): Promise<StepResult>;
  /** Undoes the step's visible effect when a later step of the run parks. */
  compensate?(ctx: StepContext): Promise<void>;
}

/** A failure that retrying cannot fix (bad input, wrong state): parks at once. */
export class PermanentStepError extends Error {
  override name = "PermanentStepError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
