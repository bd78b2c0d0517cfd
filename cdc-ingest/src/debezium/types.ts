// Public shapes of a decoded Debezium message: the input record, the decoded values and
// the envelope union (change, heartbeat, transaction). Types only; no behaviour lives here,
// and nothing here may depend on a capture source (Kafka, pg-logical, outbox, file).
import type { Unchanged } from "./unchanged.js";

/** A record as any capture source hands it over; shaped after a Kafka record. */
export interface DebeziumRawMessage {
  readonly topic: string;
  readonly key?: Buffer | string | null | undefined;
  readonly value: Buffer | string | null | undefined;
  /** Kafka headers (kafkajs `IHeaders` fits). Only `__debezium.oldkey`/`newkey` are read. */
  readonly headers?: Readonly<Record<string, DebeziumHeaderValue>> | undefined;
}

export type DebeziumHeaderValue = Buffer | string | null | undefined | ReadonlyArray<Buffer | string>;

export interface DebeziumDecodeOptions {
  /** The connector's `unavailable.value.placeholder`; default `__debezium_unavailable_value`. */
  readonly unavailableValuePlaceholder?: string;
  /**
   * What to do with a logical type in the `io.debezium.*` / `org.apache.kafka.connect.*`
   * namespaces that this decoder does not know. 'error' (default) rejects the message, since
   * its underlying value (often an epoch count) would be misread; 'raw' keeps that value.
   */
  readonly unknownLogicalTypes?: "error" | "raw";
}

/** How Java floats/doubles that are not finite arrive (Jackson writes them as strings). */
export type NonFiniteNumberMarker = "NaN" | "Infinity" | "-Infinity";

/**
 * A decoded column or key value.
 * - integers: number, or bigint beyond Number.MAX_SAFE_INTEGER (never rounded);
 * - decimals (Decimal, VariableScaleDecimal): exact plain decimal strings, e.g. "-12.50";
 * - dates/times: ISO 8601 strings, 'infinity' / '-infinity' for PostgreSQL's infinities;
 * - bytes: Buffer; Json columns: their parsed value; not-finite floats: NonFiniteNumberMarker;
 * - UNCHANGED: the column kept its previous value (see unchanged.ts).
 */
export type DebeziumValue = null | boolean | number | bigint | string | Buffer | Unchanged | readonly DebeziumValue[] | DebeziumRow;

export interface DebeziumRow {
  readonly [column: string]: DebeziumValue;
}

export type DebeziumOp = "c" | "u" | "d" | "r" | "t" | "m";
export type DebeziumRowOp = "c" | "u" | "d" | "r";

export interface DebeziumTableRef {
  readonly schema: string;
  readonly table: string;
}

/**
 * `source.snapshot`, normalised: true/false for "true"/"false" (string or boolean, absent =
 * false); the phase names of SnapshotRecord otherwise.
 */
export type DebeziumSnapshotMarker = boolean | "first" | "first_in_data_collection" | "last_in_data_collection" | "last" | "incremental";

/** Where in the source database's history a change comes from. */
export interface DebeziumSourcePosition {
  readonly connector: string;
  /** `source.name`: the connector's topic prefix. */
  readonly serverName: string | null;
  readonly version: string | null;
  readonly db: string;
  readonly schema: string;
  readonly table: string;
  /** PostgreSQL LSN as exact decimal digits; null for incremental-snapshot reads. */
  readonly lsn: string | null;
  readonly txId: string | null;
  readonly tsMs: number;
  readonly snapshot: DebeziumSnapshotMarker;
  /** `source.sequence`: [last committed LSN, current LSN] as exact digit strings. */
  readonly sequence?: ReadonlyArray<string | null>;
}

/** The `transaction` block of a change when `provide.transaction.metadata` is on. */
export interface DebeziumTransactionBlock {
  readonly id: string;
  readonly totalOrder: number;
  readonly dataCollectionOrder: number;
}

/** Set when Debezium split a primary-key UPDATE into a delete and a create. */
export interface DebeziumKeyUpdate {
  /** On the delete: the key the row moved to (`__debezium.newkey` header). */
  readonly newKey?: DebeziumValue;
  /** On the create: the key the row came from (`__debezium.oldkey` header). */
  readonly oldKey?: DebeziumValue;
}

interface DebeziumChangeCommon {
  readonly kind: "change";
  readonly topic: string;
  readonly key: DebeziumValue;
  readonly source: DebeziumSourcePosition;
  /** When Debezium processed the event (`ts_ms`; `source.tsMs` when absent). */
  readonly tsMs: number;
  readonly transaction?: DebeziumTransactionBlock;
  readonly keyUpdate?: DebeziumKeyUpdate;
}

/** Insert (c), update (u), delete (d) or snapshot read (r) of one row. */
export interface DebeziumRowChange extends DebeziumChangeCommon {
  readonly op: DebeziumRowOp;
  readonly table: DebeziumTableRef;
  /** null for c and r, and for u/d when REPLICA IDENTITY does not provide it. */
  readonly before: DebeziumRow | null;
  /** null for d; always present for c, r and u. */
  readonly after: DebeziumRow | null;
}

export interface DebeziumTruncate extends DebeziumChangeCommon {
  readonly op: "t";
  readonly table: DebeziumTableRef;
  readonly before: null;
  readonly after: null;
}

/** A logical decoding message (`pg_logical_emit_message`); it belongs to no table. */
export interface DebeziumLogicalMessage {
  readonly prefix: string;
  readonly content: Buffer;
}

export interface DebeziumMessageChange extends DebeziumChangeCommon {
  readonly op: "m";
  readonly table: null;
  readonly before: null;
  readonly after: null;
  readonly message: DebeziumLogicalMessage;
}

export type DebeziumChange = DebeziumRowChange | DebeziumTruncate | DebeziumMessageChange;

export interface DebeziumHeartbeat {
  readonly kind: "heartbeat";
  readonly topic: string;
  /** From the key (`ServerNameKey`); null when the key is absent. */
  readonly serverName: string | null;
  readonly tsMs: number;
}

export interface DebeziumDataCollectionCount {
  /** `schema.table` */
  readonly dataCollection: string;
  readonly eventCount: number;
}

export interface DebeziumTransactionEvent {
  readonly kind: "transaction";
  readonly topic: string;
  readonly status: "BEGIN" | "END";
  /** `txId:LSN` for PostgreSQL. */
  readonly id: string;
  readonly tsMs: number;
  /** END only. */
  readonly eventCount?: number;
  /** END only. */
  readonly dataCollections?: readonly DebeziumDataCollectionCount[];
}

/** Everything a non-tombstone Debezium message decodes to. */
export type DebeziumEnvelope = DebeziumChange | DebeziumHeartbeat | DebeziumTransactionEvent;
