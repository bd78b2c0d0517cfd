// Query fields of the ops subgraph: positions, order status, sync health, dead letters, search and
// read-your-writes. A partner sees only its own customer's orders (the read model knows each
// order's customer); positions are not customer data.
import { loadVisible, mayAccessCustomer, partnerCustomer } from "@crossdock/platform";
import { crossdockError, decodeCursor, encodeCursor, ErrorCode, pageSize } from "@crossdock/schema";
import type { Prisma } from "../../__generated__/prisma/client.js";
import { listDeadLetters, parkedCountsBySource, type DeadLetterStatus } from "../../dlq/deadLetters.js";
import { SOURCE_NAMES } from "../../capture/capturedTables.js";
import type { OpsContext } from "../context.js";
import { positionKey } from "../loaders.js";
import { awaitChangeCursor } from "../readYourWrites.js";
import { readAuditLog, type AuditLogArgs } from "../auditLog.js";
import { feedConsumerViews } from "../feedConsumers.js";
import { search, type SearchArgs, type SearchHitReference } from "../search.js";

interface PositionsArgs {
  sku?: string | null;
  warehouseCode?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Most keys one list-by-key field takes in one call. */
const MAX_KEYS = 500;

function boundedKeys(count: number, field: string): void {
  if (count > MAX_KEYS) throw crossdockError(ErrorCode.BAD_USER_INPUT, `${field} takes at most ${MAX_KEYS} keys`, { field });
}

export const queryResolvers = {
  Query: {
    auditLog: (_: unknown, args: AuditLogArgs, ctx: OpsContext) => readAuditLog(ctx.services.hub, ctx.principal, args),

    auditIntegrity: (_: unknown, _args: unknown, ctx: OpsContext) => ctx.services.auditIntegrity.read(ctx.principal),

    search: (_: unknown, args: SearchArgs, ctx: OpsContext) => search(ctx.services.hub, ctx.principal, args),

    inventoryPosition: (_: unknown, args: { sku: string; warehouseCode: string }, ctx: OpsContext) =>
      ctx.loaders.positionByKey.load(positionKey(args.sku, args.warehouseCode)),

    async inventoryPositions(_: unknown, args: PositionsArgs, ctx: OpsContext) {
      const first = pageSize(args.first);
      const where: Prisma.InventoryPositionWhereInput = {
        ...(args.sku ? { sku: args.sku } : {}),
        ...(args.warehouseCode ? { warehouseCode: args.warehouseCode } : {}),
      };
      if (args.after) {
        const [sku, warehouseCode] = decodeCursor(args.after, 2) as [string, string];
        where.OR = [{ sku: { gt: sku } }, { sku, warehouseCode: { gt: warehouseCode } }];
      }
      const rows = await ctx.services.prisma.inventoryPosition.findMany({ where, orderBy: [{ sku: "asc" }, { warehouseCode: "asc" }], take: first + 1 });
      const page = rows.slice(0, first);
      const edges = page.map((node) => ({ cursor: encodeCursor([node.sku, node.warehouseCode]), node }));
      return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    inventoryPositionsByKey(_: unknown, args: { keys: readonly { sku: string; warehouseCode: string }[] }, ctx: OpsContext) {
      boundedKeys(args.keys.length, "keys");
      return Promise.all(args.keys.map((key) => ctx.loaders.positionByKey.load(positionKey(key.sku, key.warehouseCode))));
    },

    // References only: the ERP and the WMS resolve the rest of each entity (an unknown key ends up null).
    // A partner gets references only to its own customer's orders (null for the rest, as for an unknown number).
    async ordersByNumber(_: unknown, args: { orderNumbers: readonly string[] }, ctx: OpsContext) {
      boundedKeys(args.orderNumbers.length, "orderNumbers");
      const reference = (orderNumber: string) => ({ __typename: "Order", orderNumber });
      if (partnerCustomer(ctx.principal) === undefined) return args.orderNumbers.map(reference);
      const views = await Promise.all(args.orderNumbers.map((orderNumber) => ctx.loaders.orderStatusByNumber.load(orderNumber)));
      return views.map((view) => (view && mayAccessCustomer(ctx.principal, view.customerNumber) ? reference(view.orderNumber) : null));
    },

    // The WMS resolves shipments by key for everyone but partners (it cannot tell whose they are).
    shipmentsById(_: unknown, args: { shipmentIds: readonly string[] }, ctx: OpsContext) {
      boundedKeys(args.shipmentIds.length, "shipmentIds");
      if (partnerCustomer(ctx.principal) !== undefined) return args.shipmentIds.map(() => null);
      return args.shipmentIds.map((shipmentId) => ({ __typename: "Shipment", shipmentId }));
    },

    orderStatus: (_: unknown, args: { orderNumber: string }, ctx: OpsContext) =>
      loadVisible(ctx.principal, ctx.loaders.orderStatusByNumber.load(args.orderNumber), (view) => view.customerNumber),

    async syncStatus(_: unknown, _args: unknown, ctx: OpsContext) {
      const checkpoints = await ctx.services.prisma.sourceCheckpoint.findMany();
      const parked = await parkedCountsBySource(ctx.services.hub);
      const consumers = await feedConsumerViews(ctx.services.hub);
      const live = new Map((await ctx.services.sourceStatuses()).map((s) => [s.source, s]));
      const names = [...new Set([...SOURCE_NAMES, ...checkpoints.map((c) => c.source), ...live.keys()])];
      return {
        sources: names.map((source) => {
          const checkpoint = checkpoints.find((c) => c.source === source);
          const status = live.get(source);
          return {
            source,
            // GraphQL Int is 32-bit: a source weeks behind reports the largest value, not an error.
            lagMs: Math.min(Math.round(status?.lagMs ?? 0), 2_147_483_647),
            // A source this process does not capture has no reading: nothing is known about it.
            state: status?.state ?? null,
            pendingChanges: status?.pendingChanges == null ? null : Math.min(status.pendingChanges, 2_147_483_647),
            behindBytes: status?.behindBytes?.toString() ?? null,
            retainedWalBytes: status?.retainedWal?.bytes.toString() ?? null,
            replicationSlot: status?.retainedWal?.slot ?? null,
            lastCheckedAt: status?.lastCheckedAt ?? null,
            downReason: status?.downReason ?? null,
            lastEventAt: checkpoint?.lastCommittedAt ?? status?.lastEventAt ?? null,
            deadLetters: parked.get(source) ?? 0,
            capture: status?.kind ?? null,
            eventsApplied: String(checkpoint?.eventsApplied ?? 0),
          };
        }),
        consumers,
      };
    },

    async deadLetters(
      _: unknown,
      args: { source?: string | null; status?: DeadLetterStatus | null; first?: number | null; after?: string | null },
      ctx: OpsContext,
    ) {
      const first = pageSize(args.first);
      const afterId = args.after ? String(decodeCursor(args.after, 1)[0]) : "0";
      const rows = await listDeadLetters(ctx.services.hub, { source: args.source ?? null, status: args.status ?? null, afterId, limit: first + 1 });
      const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor([node.id]), node }));
      return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    awaitChangeCursor(_: unknown, args: { changeCursor: string; timeoutMs?: number | null }, ctx: OpsContext) {
      if (args.timeoutMs === null) throw crossdockError(ErrorCode.BAD_USER_INPUT, "timeoutMs must not be null", { field: "timeoutMs" });
      return awaitChangeCursor(ctx.services.hub, ctx.services.bus, args.changeCursor, args.timeoutMs ?? 5000);
    },
  },
};

/** A search hit is an entity reference; its owner subgraph resolves the rest. */
export const searchHitResolvers = {
  SearchHit: { __resolveType: (hit: SearchHitReference) => hit.__typename },
};
