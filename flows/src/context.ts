// What every flows resolver receives: the request identity, the run queries, operator actions
// against the hub database, this request's loaders, and a way to wake the workers.
import { groupLoader, type DataLoader, type Database, type RequestContextBase } from "@crossdock/platform";
import type { AttemptRow, RunQueries, RunRow, StepRow } from "./engine/runQueries.js";

export interface FlowsServices {
  hub: Database;
  queries: RunQueries;
  wakeWorkers(): void;
}

export interface FlowsLoaders {
  runsByOrder: DataLoader<string, RunRow[]>;
  stepsByRun: DataLoader<string, StepRow[]>;
  attemptsByStep: DataLoader<string, AttemptRow[]>;
}

export interface FlowsContext extends RequestContextBase {
  services: FlowsServices;
  loaders: FlowsLoaders;
}

export function createFlowsLoaders(queries: RunQueries): FlowsLoaders {
  return {
    runsByOrder: groupLoader(
      (numbers: readonly string[]) => queries.runsOfOrders(numbers),
      (run) => run.orderNumber ?? "",
    ),
    stepsByRun: groupLoader(
      (ids: readonly string[]) => queries.stepsOfRuns(ids),
      (step) => step.runId,
    ),
    attemptsByStep: groupLoader(
      (ids: readonly string[]) => queries.attemptsOfSteps(ids),
      (attempt) => attempt.stepId,
    ),
  };
}
