// Turns decoded Debezium row changes into mirror writes: one per source row per batch, the
// later change folded over the earlier (so unchanged-TOAST columns keep the latest known
// value), keyed by the source row's primary key and ordered by the source position.
import { isUnchanged, type DebeziumRow, type DebeziumRowChange, type DebeziumValue } from "../debezium/index.js";

/** A JSON-safe column value: decimals and big integers as strings, bytes as base64. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };
export type PlainRow = Record<string, PlainValue>;

export interface MirrorWrite {
  table: string;
  sourceId: string;
  /** Columns to merge over the stored image (absent = unchanged). */
  data: PlainRow;
  deleted: boolean;
  position: string;
  committedAt: Date;
  /** Every image this batch saw of the row (before and after), for the keys it touched. */
  images: PlainRow[];
}

export function toPlain(value: DebeziumValue): PlainValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map((v) => toPlain(v as DebeziumValue));
  return plainObject(value as DebeziumRow);
}

function plainObject(value: DebeziumRow): PlainRow {
  const row: Record<string, PlainValue> = {};
  // for-in over own data properties (decoded rows have no prototype chain to speak of): no
  // entries array per row, as this runs for every image of every change.
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = value[k] as DebeziumValue;
    if (v === null || typeof v === "string" || typeof v === "boolean") row[k] = v;
    else if (!isUnchanged(v)) row[k] = toPlain(v);
  }
  return row;
}

export function plainRow(row: DebeziumRow | null): PlainRow | null {
  return row ? plainObject(row) : null;
}

/** Position of a snapshot read that has none (Debezium's incremental snapshot): below every streamed change. */
const SNAPSHOT_READ_POSITION = "0";

/** A streamed change must carry its position; a snapshot read may go without (it then fills in only rows the mirror does not know). */
export function hasSourcePosition(change: DebeziumRowChange): boolean {
  return (change.source.lsn !== null && change.source.lsn !== "") || change.op === "r";
}

/**
 * Orders positions numerically: LSNs and outbox ids are decimal digit strings. A streamed change
 * without one never gets here (decodeCaptured parks it as NO_POSITION); should one, it fails its
 * apply and is parked, rather than sorting first as position 0 and being skipped by the mirror guard.
 */
export function positionOf(change: DebeziumRowChange): string {
  if (!hasSourcePosition(change)) throw new MirrorKeyError(`change on ${change.table.table} carries no source position`);
  return (change.source.lsn || SNAPSHOT_READ_POSITION).padStart(20, "0");
}

function keyOf(change: DebeziumRowChange): string | null {
  const image = change.after ?? change.before;
  const id = image?.["id"];
  if (id !== undefined && id !== null && !isUnchanged(id)) return String(toPlain(id));
  const key = change.key;
  if (key && typeof key === "object" && !Buffer.isBuffer(key) && !Array.isArray(key)) {
    const values = Object.values(key as DebeziumRow).map((v) => String(toPlain(v)));
    if (values.length > 0) return values.join("|");
  }
  return null;
}

export class MirrorKeyError extends Error {}

export function foldMirrorWrites(changes: readonly DebeziumRowChange[]): MirrorWrite[] {
  const writes = new Map<string, MirrorWrite>();
  // Fold in position order, whatever order the source delivered: the write keeps the LAST
  // change's position, and the mirror's guard rejects a write whose position is not newer, so
  // folding a newer change under an older one would drop the newer one silently. (Stable sort:
  // changes of equal position keep their delivery order.)
  const ordered = changes
    .map((change) => ({ change, position: positionOf(change) }))
    .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
    .map((entry) => entry.change);
  for (const change of ordered) {
    const sourceId = keyOf(change);
    if (sourceId === null) throw new MirrorKeyError(`change on ${change.table.table} has no primary key in key, before or after`);
    const table = change.table.table;
    const before = plainRow(change.before);
    const after = plainRow(change.after);
    const id = `${table}|${sourceId}`;
    const previous = writes.get(id);
    // The earlier write of the same row is replaced, so its image list can simply grow.
    const images = previous?.images ?? [];
    if (before) images.push(before);
    if (after) images.push(after);
    const deleted = change.op === "d";
    writes.set(id, {
      table,
      sourceId,
      // A copy of its own (images keep theirs), so a later change of the row can merge into it.
      data: deleted ? {} : previous && !previous.deleted ? Object.assign(previous.data, after) : { ...after },
      deleted,
      position: positionOf(change),
      committedAt: new Date(change.source.tsMs),
      images,
    });
  }
  return [...writes.values()];
}
