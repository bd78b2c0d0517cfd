// Parses pgoutput (protocol version 1) messages from the bytes of one XLogData frame into
// plain objects. It only reads bytes: it keeps no relation cache and converts no values,
// so it cannot go wrong about types or schema changes (see changeBuilder.ts for those).

export interface PgColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly isKey: boolean;
}

/** One column of a tuple: null, an unchanged TOASTed value (not sent), or its text form. */
export type PgTupleValue = { kind: "null" } | { kind: "unchanged" } | { kind: "text"; text: string };

export type PgOutputMessage =
  | { tag: "begin"; finalLsn: bigint; commitMicros: bigint; xid: number }
  | { tag: "commit"; commitLsn: bigint; endLsn: bigint; commitMicros: bigint }
  | { tag: "relation"; relationId: number; schema: string; table: string; replicaIdentity: string; columns: PgColumn[] }
  | { tag: "insert"; relationId: number; newTuple: PgTupleValue[] }
  | { tag: "update"; relationId: number; oldTuple: PgTupleValue[] | null; oldIsKeyOnly: boolean; newTuple: PgTupleValue[] }
  | { tag: "delete"; relationId: number; oldTuple: PgTupleValue[]; oldIsKeyOnly: boolean }
  | { tag: "truncate"; relationIds: number[] }
  | { tag: "other"; code: string };

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  byte(): string {
    return String.fromCharCode(this.buf.readUInt8(this.offset++));
  }
  int8(): number {
    return this.buf.readInt8(this.offset++);
  }
  int16(): number {
    const value = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint32(): number {
    const value = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint64(): bigint {
    const value = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  int64(): bigint {
    const value = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new Error("pgoutput: unterminated string");
    const text = this.buf.toString("utf8", this.offset, end);
    this.offset = end + 1;
    return text;
  }
  /** UTF-8 text of the next `length` bytes, read in place (no Buffer view per value). */
  text(length: number): string {
    const text = this.buf.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
}

function readTuple(reader: Reader): PgTupleValue[] {
  const count = reader.int16();
  const values: PgTupleValue[] = [];
  for (let i = 0; i < count; i++) {
    const kind = reader.byte();
    if (kind === "n") values.push({ kind: "null" });
    else if (kind === "u") values.push({ kind: "unchanged" });
    else if (kind === "t") values.push({ kind: "text", text: reader.text(reader.int32()) });
    // 'b' only appears with the `binary` option, which this source never asks for.
    else throw new Error(`pgoutput: unsupported tuple value kind ${JSON.stringify(kind)}`);
  }
  return values;
}

export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const reader = new Reader(buf);
  const code = reader.byte();
  switch (code) {
    case "B":
      return { tag: "begin", finalLsn: reader.uint64(), commitMicros: reader.int64(), xid: reader.uint32() };
    case "C": {
      reader.int8(); // flags, unused
      return { tag: "commit", commitLsn: reader.uint64(), endLsn: reader.uint64(), commitMicros: reader.int64() };
    }
    case "R": {
      const relationId = reader.uint32();
      const schema = reader.cstring();
      const table = reader.cstring();
      const replicaIdentity = reader.byte();
      const count = reader.int16();
      const columns: PgColumn[] = [];
      for (let i = 0; i < count; i++) {
        const flags = reader.int8();
        const name = reader.cstring();
        const typeOid = reader.uint32();
        reader.int32(); // typmod
        columns.push({ name, typeOid, isKey: (flags & 1) === 1 });
      }
      return { tag: "relation", relationId, schema: schema === "" ? "pg_catalog" : schema, table, replicaIdentity, columns };
    }
    case "I": {
      const relationId = reader.uint32();
      reader.byte(); // 'N'
      return { tag: "insert", relationId, newTuple: readTuple(reader) };
    }
    case "U": {
      const relationId = reader.uint32();
      let marker = reader.byte();
      let oldTuple: PgTupleValue[] | null = null;
      const oldIsKeyOnly = marker === "K";
      if (marker === "K" || marker === "O") {
        oldTuple = readTuple(reader);
        marker = reader.byte();
      }
      if (marker !== "N") throw new Error(`pgoutput: update without new tuple (${marker})`);
      return { tag: "update", relationId, oldTuple, oldIsKeyOnly, newTuple: readTuple(reader) };
    }
    case "D": {
      const relationId = reader.uint32();
      const marker = reader.byte();
      return { tag: "delete", relationId, oldIsKeyOnly: marker === "K", oldTuple: readTuple(reader) };
    }
    case "T": {
      const count = reader.int32();
      reader.int8(); // options: CASCADE / RESTART IDENTITY
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(reader.uint32());
      return { tag: "truncate", relationIds };
    }
    default:
      // Origin ('O'), Type ('Y') and logical messages ('M') carry nothing this source emits.
      return { tag: "other", code };
  }
}
