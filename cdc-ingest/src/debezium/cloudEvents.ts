// Debezium's CloudEventsConverter output (structured JSON mode) mapped back onto the plain
// Debezium payload, so one code path decodes both. Only JSON `data` can be read: Avro data
// needs its schema registry, which this decoder never calls, so it is refused explicitly.
import { readConnectSchema, type ConnectSchema } from "./connectSchema.js";
import { fail, type DecodeScope } from "./decodeScope.js";
import { JsonNumber, isJsonObject, setOwn, type JsonObject } from "./jsonBigParse.js";
import { member } from "./jsonReaders.js";

export function isCloudEvent(value: JsonObject): boolean {
  return typeof value["specversion"] === "string" && Object.hasOwn(value, "data");
}

// CloudEvents extension attribute -> field of the Debezium source block.
const SOURCE_ATTRIBUTES: ReadonlyArray<readonly [string, string]> = [
  ["iodebeziumversion", "version"],
  ["iodebeziumconnector", "connector"],
  ["iodebeziumname", "name"],
  ["iodebeziumtsms", "ts_ms"],
  ["iodebeziumsnapshot", "snapshot"],
  ["iodebeziumdb", "db"],
  ["iodebeziumsequence", "sequence"],
  ["iodebeziumschema", "schema"],
  ["iodebeziumtable", "table"],
  // iodebeziumtxId is source.txId; the lower-case iodebeziumtxid is the transaction block's id.
  ["iodebeziumtxId", "txId"],
  ["iodebeziumlsn", "lsn"],
];

export interface CloudEventPayload {
  readonly payload: JsonObject;
  readonly schema: ConnectSchema | undefined;
}

/** Rebuilds `{op, source, before, after, ts_ms, transaction}` from a CloudEvent. */
export function cloudEventToPayload(event: JsonObject, scope: DecodeScope): CloudEventPayload {
  const contentType = member(event, "datacontenttype");
  if (contentType !== null && (typeof contentType !== "string" || !/^application\/(?:[\w.+-]+\+)?json\b/.test(contentType))) {
    return fail(scope, "UNSUPPORTED_FORMAT", "datacontenttype", `CloudEvents data in ${String(contentType)} cannot be decoded here`);
  }
  let data = member(event, "data");
  let schema: ConnectSchema | undefined;
  if (isJsonObject(data) && Object.hasOwn(data, "schema") && Object.hasOwn(data, "payload")) {
    const schemaNode = member(data, "schema");
    schema = schemaNode === null ? undefined : readConnectSchema(schemaNode, scope, "data.schema");
    data = member(data, "payload");
  }
  if (!isJsonObject(data)) return fail(scope, "MISSING_PAYLOAD", "data", "a CloudEvent of a change needs an object as data");

  const source: JsonObject = {};
  for (const [attribute, field] of SOURCE_ATTRIBUTES) {
    if (Object.hasOwn(event, attribute)) setOwn(source, field, member(event, attribute));
  }
  const payload: JsonObject = {
    op: member(event, "iodebeziumop"),
    source,
    before: member(data, "before"),
    after: member(data, "after"),
  };
  const time = member(event, "time");
  const millis = typeof time === "string" ? Date.parse(time) : NaN;
  if (Number.isSafeInteger(millis)) payload["ts_ms"] = new JsonNumber(String(millis), true);
  const transactionId = member(event, "iodebeziumtxid");
  if (transactionId !== null) {
    payload["transaction"] = {
      id: transactionId,
      total_order: member(event, "iodebeziumtxtotalorder"),
      data_collection_order: member(event, "iodebeziumtxdatacollectionorder"),
    };
  }
  return { payload, schema };
}
