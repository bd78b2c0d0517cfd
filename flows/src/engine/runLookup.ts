// What routers may ask about runs while a batch is routed: committed runs plus the ones this
// batch has triggered so far. The committed active runs of a flow are read once per batch (the
// first time a router asks about that flow) and filtered here, instead of one query per event.
import type { Database } from "@crossdock/platform";
import { runIdOf, type Facts, type RunLookup, type RunSummary, type RunTrigger } from "./types.js";

export interface RunLookupOptions {
  hub: Database;
  /** The batch's triggers so far (the caller keeps appending to it). */
  pending: readonly RunTrigger[];
  reorderPoint: (sku: string) => string | undefined;
}

export function runLookup(options: RunLookupOptions): RunLookup {
  const { hub, pending } = options;
  const committed = new Map<string, Promise<RunSummary[]>>();
  const activeOf = (flow: string) => {
    let rows = committed.get(flow);
    if (!rows) {
      rows = hub.query<RunSummary>(
        `SELECT "id", "flow", "subjectKey", "orderNumber", "status", "facts" FROM "FlowRun"
         WHERE "flow" = $1 AND "status" IN ('RUNNING', 'PARKED') AND ("facts"->>'done') IS DISTINCT FROM 'true'`,
        [flow],
      );
      committed.set(flow, rows);
    }
    return rows;
  };
  return {
    reorderPoint: options.reorderPoint,
    async activeRuns(flow, where) {
      const rows = await activeOf(flow);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const trigger of pending) {
        if (trigger.flow !== flow) continue;
        const id = runIdOf(trigger.flow, trigger.subjectKey);
        const known = byId.get(id);
        if (!known && !trigger.create) continue;
        const facts: Facts = { ...(known?.facts ?? {}), ...(trigger.facts ?? {}) };
        byId.set(id, { id, flow, subjectKey: trigger.subjectKey, orderNumber: known?.orderNumber ?? trigger.orderNumber ?? null, status: "RUNNING", facts });
      }
      return [...byId.values()].filter(
        (run) =>
          run.facts["done"] !== true &&
          (!where.fact || run.facts[where.fact[0]] === where.fact[1]) &&
          (!where.orderNumber || run.orderNumber === where.orderNumber),
      );
    },
  };
}
