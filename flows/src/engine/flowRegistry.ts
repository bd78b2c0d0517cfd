// The set of flows the engine runs, looked up by flow name and step kind. Built once at start;
// an unknown kind (a step left by an older version) parks instead of crashing the worker.
import type { FeedEvent, FlowDefinition, RunLookup, RunTrigger, StepDefinition } from "./types.js";

export class FlowRegistry {
  private readonly byName: Map<string, FlowDefinition>;

  constructor(readonly flows: readonly FlowDefinition[]) {
    this.byName = new Map(flows.map((flow) => [flow.name, flow]));
  }

  get entityTypes(): string[] {
    return [...new Set(this.flows.flatMap((flow) => flow.entityTypes))];
  }

  step(flow: string, kind: string): StepDefinition | undefined {
    return this.byName.get(flow)?.steps[kind];
  }

  /** Every flow's triggers for one event, in flow order. */
  async route(event: FeedEvent, lookup: RunLookup): Promise<RunTrigger[]> {
    const triggers: RunTrigger[] = [];
    for (const flow of this.flows) {
      if (!flow.entityTypes.includes(event.entityType)) continue;
      triggers.push(...(await flow.route(event, lookup)));
    }
    return triggers;
  }
}
