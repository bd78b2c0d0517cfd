// Turns the pgoutput stream (and snapshot pages) into Debezium changes: decoded for the apply
// path, with the envelope text made only when asked (dead letters). It keeps the relation
// cache, so a schema change (a Relation message after ALTER TABLE) applies from the next change
// on; a change for a relation it has not been told about is an error, not a guess.
import { encodeDebeziumEnvelope, type DebeziumRow, type DebeziumRowChange } from "../../debezium/index.js";
import type { CapturedMessage } from "../captureSource.js";
import { envelopeText, type ChangeFacts, type EnvelopeContext } from "./changeEnvelope.js";
import { decodedChange, rowValues } from "./changeRow.js";
import { pgMicrosToEpochMillis } from "./lsn.js";
import { decodePgOutput, type PgColumn, type PgOutputMessage, type PgTupleValue } from "./pgoutputDecoder.js";
import type { SnapshotPage } from "./snapshotReader.js";

interface TupleImage {
  readonly tuple: readonly PgTupleValue[];
  readonly unchangedFrom?: readonly PgTupleValue[] | null;
  readonly keyOnly?: boolean;
}

/**
 * One captured change: its LSN, the decoded change (null for a truncate) and its envelope text
 * on demand. It holds no closures, tuples or bytes: a backlog of buffered changes is what the
 * garbage collector walks over and over, so each one keeps only what the apply path reads. The
 * text (for a dead letter, rarely) is the decoded change written back in Debezium's JSON form,
 * which decodes to the same change; a truncate, which has no decoded change, has its text made
 * at once.
 */
export class AssembledChange implements CapturedMessage {
  readonly key = null;
  readonly ackToken: string;
  /** The ack ledger's transaction this change belongs to (set by AckLedger.track). */
  ledgerEntry: object | undefined = undefined;

  constructor(
    readonly topic: string,
    readonly lsn: bigint,
    readonly decoded: DebeziumRowChange | null,
    private text: string | undefined,
  ) {
    this.ackToken = lsn.toString();
  }

  get value(): string {
    this.text ??= encodeDebeziumEnvelope(this.decoded as DebeziumRowChange);
    return this.text;
  }
}

interface ChangeImages {
  readonly before?: TupleImage;
  readonly after?: TupleImage;
}

/** The row images of an insert, update or delete (none for anything else). */
function imagesOf(message: PgOutputMessage): ChangeImages {
  switch (message.tag) {
    case "insert":
      return { after: { tuple: message.newTuple } };
    case "update": {
      const { oldTuple, oldIsKeyOnly } = message;
      const after = { tuple: message.newTuple, unchangedFrom: oldIsKeyOnly ? null : oldTuple };
      return oldTuple ? { before: { tuple: oldTuple, keyOnly: oldIsKeyOnly }, after } : { after };
    }
    case "delete":
      return { before: { tuple: message.oldTuple, keyOnly: message.oldIsKeyOnly } };
    default:
      return {};
  }
}

function rowOf(relation: Relation, image: TupleImage | undefined, context: EnvelopeContext): DebeziumRow | null {
  return image ? rowValues(relation.columns, image.tuple, context, image) : null;
}

export type StreamEvent =
  { readonly kind: "begin" } | { readonly kind: "change"; readonly change: AssembledChange } | { readonly kind: "commit"; readonly endLsn: bigint };

interface Relation {
  readonly schema: string;
  readonly table: string;
  readonly columns: PgColumn[];
  readonly topic: string;
}

export class ChangeAssembler {
  private readonly relations = new Map<number, Relation>();
  private transaction: { xid: string; commitMs: number } | undefined;

  constructor(private readonly context: EnvelopeContext) {}

  private topic(schema: string, table: string): string {
    return `${this.context.sourceName}.${schema}.${table}`;
  }

  private relation(id: number): Relation {
    const relation = this.relations.get(id);
    if (!relation) throw new Error(`pgoutput: change for unknown relation ${id}`);
    return relation;
  }

  private assemble(
    relation: Relation,
    op: "c" | "u" | "d" | "r" | "t",
    images: ChangeImages,
    facts: Omit<ChangeFacts, "op" | "before" | "after" | "schema" | "table">,
  ): AssembledChange {
    const { context } = this;
    const envelopeMs = Date.now();
    const base = { ...facts, schema: relation.schema, table: relation.table };
    // A truncate keeps the text path: the decoder turns it into its dead letter.
    if (op === "t") return new AssembledChange(relation.topic, facts.lsn, null, envelopeText(context, { ...base, op, before: null, after: null }, envelopeMs));
    const before = rowOf(relation, images.before, context);
    const after = rowOf(relation, images.after, context);
    return new AssembledChange(relation.topic, facts.lsn, decodedChange(context, { ...base, op, before, after }, envelopeMs), undefined);
  }

  /** One pgoutput message sent at WAL position `walStart` (the change's own LSN). */
  accept(walStart: bigint, payload: Buffer): StreamEvent[] {
    const message = decodePgOutput(payload);
    switch (message.tag) {
      case "begin":
        this.transaction = { xid: String(message.xid), commitMs: pgMicrosToEpochMillis(message.commitMicros) };
        return [{ kind: "begin" }];
      case "commit":
        this.transaction = undefined;
        return [{ kind: "commit", endLsn: message.endLsn }];
      case "relation":
        this.relations.set(message.relationId, {
          schema: message.schema,
          table: message.table,
          columns: message.columns,
          topic: this.topic(message.schema, message.table),
        });
        return [];
      case "insert":
      case "update":
      case "delete":
        return [
          this.change(this.relation(message.relationId), message.tag === "insert" ? "c" : message.tag === "update" ? "u" : "d", imagesOf(message), walStart),
        ];
      case "truncate":
        return message.relationIds.map((id) => this.change(this.relation(id), "t", {}, walStart));
      default:
        return [];
    }
  }

  private change(relation: Relation, op: "c" | "u" | "d" | "t", images: ChangeImages, walStart: bigint): StreamEvent {
    const tx = this.transaction;
    if (!tx) throw new Error("pgoutput: change outside a transaction");
    return { kind: "change", change: this.assemble(relation, op, images, { lsn: walStart, txId: tx.xid, commitMs: tx.commitMs, snapshot: false }) };
  }

  /** Snapshot rows as op "r", all at one position below every change the slot will stream. */
  snapshotChanges(page: SnapshotPage, position: bigint, snapshotMs: number): AssembledChange[] {
    const relation: Relation = { schema: "public", table: page.table, columns: page.columns, topic: this.topic("public", page.table) };
    return page.rows.map((row) => this.assemble(relation, "r", { after: { tuple: row } }, { lsn: position, txId: null, commitMs: snapshotMs, snapshot: true }));
  }
}
