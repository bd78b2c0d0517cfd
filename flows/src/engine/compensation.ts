// Compensation: before a run parks, the visible effects of its completed steps are undone
// newest first (a created fulfilment is cancelled), so a half-finished flow leaves nothing
// half-done behind. A compensation that fails is reported on the run, never retried forever.
import type { GatewayClient } from "./gatewayClient.js";
import type { FlowRegistry } from "./flowRegistry.js";
import { idempotencyKeyOf, type ClaimedStep, type RunStore } from "./runStore.js";

const ATTEMPTS = 3;

export async function compensateRun(options: { store: RunStore; registry: FlowRegistry; gateway: GatewayClient; failed: ClaimedStep }): Promise<string[]> {
  const { store, registry, gateway, failed } = options;
  const problems: string[] = [];
  for (const step of await store.compensable(failed.runId)) {
    const definition = registry.step(failed.flow, step.kind);
    if (!definition?.compensate) continue;
    let lastError: unknown;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        await definition.compensate({
          runId: failed.runId,
          stepName: step.name,
          input: step.input,
          facts: failed.facts,
          orderNumber: failed.orderNumber,
          customerNumber: failed.customerNumber,
          idempotencyKey: `${idempotencyKeyOf(failed.runId, step.name, step.generation)}:undo`,
          generation: step.generation,
          gateway,
          output: step.output,
        });
        await store.markCompensated(step.id);
        lastError = undefined;
        break;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    if (lastError !== undefined) problems.push(`compensating ${step.name} failed: ${(lastError as Error).message}`);
  }
  return problems;
}
