// `includeCurrent`: the entities a filter matches right now, read through the graph with the
// subscriber's principal (so a partner sees only what it may query), as events in the same
// shape the feed produces, a page at a time. Positions page through every match (the caller
// waits for the client between pages); for other streams too many matches is a client error.
import { parse, getOperationAST } from "graphql";
import type { Principal } from "@crossdock/platform";
import type { GraphExecutor } from "../resolution/graphExecution.js";
import type { StreamField, StreamFilter } from "../streamFields.js";
import { subscriptionError } from "../subscriptionErrors.js";

export interface CurrentEntity {
  entityKey: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

const PAGE = 200;

function query(source: string) {
  const document = parse(source);
  return { document, operation: getOperationAST(document)!, source, operationName: getOperationAST(document)!.name!.value };
}

const INVENTORY = query(`query CrossdockCurrentInventory($sku: ID, $wh: ID, $first: Int, $after: String) {
  inventoryPositions(sku: $sku, warehouseCode: $wh, first: $first, after: $after) {
    edges { node { sku warehouseCode onHand allocated available sourceCommittedAt } } pageInfo { hasNextPage endCursor } } }`);
const LOW_STOCK = query(`query CrossdockCurrentLowStock($wh: ID, $first: Int, $after: String) {
  lowStock(warehouseCode: $wh, first: $first, after: $after) {
    edges { node { sku warehouseCode onHand allocated available reorderPoint availableToPromise sourceCommittedAt } } pageInfo { hasNextPage endCursor } } }`);
const ORDER = query(`query CrossdockCurrentOrder($n: ID!) { order(orderNumber: $n) { orderNumber customerNumber statusView { stage sourceCommittedAt } } }`);
const CUSTOMER_ORDERS = query(`query CrossdockCurrentCustomerOrders($c: ID, $first: Int, $after: String) {
  orders(customerNumber: $c, first: $first, after: $after) {
    edges { node { orderNumber customerNumber statusView { stage sourceCommittedAt } } } pageInfo { hasNextPage endCursor } } }`);
const SHIPMENT_FIELDS = `shipmentId status order { orderNumber } milestones { code location occurredAt note }`;
const SHIPMENT = query(`query CrossdockCurrentShipment($id: ID!) { shipment(shipmentId: $id) { ${SHIPMENT_FIELDS} } }`);
const ORDER_SHIPMENTS = query(`query CrossdockCurrentOrderShipments($n: ID!) { order(orderNumber: $n) { fulfillments { shipments { ${SHIPMENT_FIELDS} } } } }`);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- graph responses are checked by their query

async function run(executor: GraphExecutor, principal: Principal, q: ReturnType<typeof query>, variables: Record<string, unknown>): Promise<Json> {
  const result = await executor.execute({ ...q, variables }, principal);
  if (result.errors?.length) throw result.errors[0];
  return (result.data ?? {}) as Json;
}

async function paged(
  fetchPage: (after: string | null) => Promise<{ edges: { node: Json }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>,
  limit: number,
): Promise<Json[]> {
  const nodes: Json[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await fetchPage(after);
    nodes.push(...page.edges.map((e) => e.node));
    if (nodes.length > limit) throw subscriptionError("BAD_USER_INPUT", `includeCurrent matches more than ${limit} entities; narrow the filter`, { limit });
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return nodes;
    after = page.pageInfo.endCursor;
  }
}

function orderEntity(node: Json): CurrentEntity | undefined {
  if (!node?.statusView) return undefined;
  const customerNumber = node.customerNumber ?? null;
  return {
    entityKey: node.orderNumber,
    occurredAt: new Date(node.statusView.sourceCommittedAt),
    payload: { orderNumber: node.orderNumber, customerNumber, stage: node.statusView.stage, previousStage: null },
  };
}

function shipmentEntity(node: Json): CurrentEntity | undefined {
  if (!node) return undefined;
  const milestone = node.milestones?.at(-1) ?? null;
  return {
    entityKey: node.shipmentId,
    occurredAt: milestone ? new Date(milestone.occurredAt) : new Date(),
    payload: { shipmentId: node.shipmentId, orderNumber: node.order?.orderNumber ?? null, status: node.status, milestone },
  };
}

function positionEntity(node: Json, extra: Record<string, unknown>): CurrentEntity {
  return {
    entityKey: `${node.sku}|${node.warehouseCode}`,
    occurredAt: new Date(node.sourceCommittedAt),
    payload: { sku: node.sku, warehouseCode: node.warehouseCode, onHand: node.onHand, allocated: node.allocated, available: node.available, ...extra },
  };
}

export interface CurrentOptions {
  field: StreamField;
  filter: StreamFilter;
  executor: GraphExecutor;
  principal: Principal;
  limit: number;
}

/** The current entities, one page at a time (positions), or all in one page (the bounded streams). */
export async function* currentEntityPages(options: CurrentOptions): AsyncGenerator<CurrentEntity[]> {
  const { field, filter, executor, principal } = options;
  const matching = (entities: (CurrentEntity | undefined)[]) => entities.filter((e): e is CurrentEntity => e !== undefined && field.matches(filter, e.payload));
  if (field.name === "inventoryChanged" || field.name === "lowStockChanged") {
    const low = field.name === "lowStockChanged";
    let after: string | null = null;
    for (;;) {
      const data: Json = low
        ? (await run(executor, principal, LOW_STOCK, { wh: filter.warehouseCode ?? null, first: PAGE, after })).lowStock
        : (await run(executor, principal, INVENTORY, { sku: filter.sku ?? null, wh: filter.warehouseCode ?? null, first: PAGE, after })).inventoryPositions;
      const extra = (n: Json) => (low ? { reorderPoint: n.reorderPoint, availableToPromise: n.availableToPromise, below: true } : { previousAvailable: null });
      yield matching(data.edges.map((e: { node: Json }) => positionEntity(e.node, extra(e.node))));
      if (!data.pageInfo.hasNextPage || !data.pageInfo.endCursor) return;
      after = data.pageInfo.endCursor;
    }
  }
  yield await boundedEntities(options, matching);
}

async function boundedEntities(options: CurrentOptions, matching: (entities: (CurrentEntity | undefined)[]) => CurrentEntity[]): Promise<CurrentEntity[]> {
  const { field, filter, executor, principal, limit } = options;
  let found: (CurrentEntity | undefined)[];
  if (field.name === "orderStatusChanged") {
    found = filter.orderNumber
      ? [orderEntity((await run(executor, principal, ORDER, { n: filter.orderNumber })).order)]
      : (await paged(async (after) => (await run(executor, principal, CUSTOMER_ORDERS, { c: filter.customerNumber, first: PAGE, after })).orders, limit)).map(
          orderEntity,
        );
  } else {
    found = filter.shipmentId
      ? [shipmentEntity((await run(executor, principal, SHIPMENT, { id: filter.shipmentId })).shipment)]
      : ((await run(executor, principal, ORDER_SHIPMENTS, { n: filter.orderNumber })).order?.fulfillments ?? [])
          .flatMap((f: Json) => f.shipments as Json[])
          .map(shipmentEntity);
  }
  const entities = matching(found);
  if (entities.length > limit) throw subscriptionError("BAD_USER_INPUT", `includeCurrent matches more than ${limit} entities; narrow the filter`, { limit });
  return entities;
}
