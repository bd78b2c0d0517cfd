// Turns the pgoutput stream (and snapshot pages) into Debezium changes: decoded for the apply
// path, with the envelope text made only when asked (dead letters). It keeps the relation
// cache, so a schema change (a Relation message after ALTER TABLE) applies from the next change
// on; a change for a relation it has not been told about is an error, not a guess.
import type { DebeziumRowChange } from "../../debezium/index.js";
import type { CapturedMessage } from "../captureSource.js";
import { envelopeText, rowJson, type ChangeFacts, type EnvelopeContext } from "./changeEnvelope.js";
import { decodedChange, rowValues } from "./changeRow.js";
import { pgMicrosToEpochMillis } from "./lsn.js";
import { decodePgOutput, type PgColumn, type PgTupleValue } from "./pgoutputDecoder.js";
import type { SnapshotPage } from "./snapshotReader.js";

interface TupleImage {
  readonly tuple: readonly PgTupleValue[];
  readonly unchangedFrom?: readonly PgTupleValue[] | null;
  readonly keyOnly?: boolean;
}

/** One captured change: its LSN, the decoded change (null for a truncate) and its envelope text on demand. */
export class AssembledChange implements CapturedMessage {
  readonly key = null;
  readonly ackToken: string;
  private text: string | undefined;

  constructor(
    readonly topic: string,
    readonly lsn: bigint,
    readonly decoded: DebeziumRowChange | null,
    private readonly writeText: () => string,
  ) {
    this.ackToken = lsn.toString();
  }

  get value(): string {
    this.text ??= this.writeText();
    return this.text;
  }
}

export type StreamEvent =
  { readonly kind: "begin" } | { readonly kind: "change"; readonly change: AssembledChange } | { readonly kind: "commit"; readonly endLsn: bigint };

interface Relation {
  readonly schema: string;
  readonly table: string;
  readonly columns: PgColumn[];
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
    images: { before?: TupleImage; after?: TupleImage },
    facts: Omit<ChangeFacts, "op" | "before" | "after" | "schema" | "table">,
  ): AssembledChange {
    const { context } = this;
    const { columns } = relation;
    const base = { ...facts, schema: relation.schema, table: relation.table };
    const envelopeMs = Date.now();
    const json = (image: TupleImage | undefined) =>
      image ? rowJson(columns, image.tuple, context, { unchangedFrom: image.unchangedFrom ?? null, keyOnly: image.keyOnly ?? false }) : null;
    const writeText = () => envelopeText(context, { ...base, op, before: json(images.before), after: json(images.after) }, envelopeMs);
    const values = (image: TupleImage | undefined) =>
      image ? rowValues(columns, image.tuple, context, { unchangedFrom: image.unchangedFrom ?? null, keyOnly: image.keyOnly ?? false }) : null;
    // A truncate keeps the text path: the decoder turns it into its dead letter.
    const decoded = op === "t" ? null : decodedChange(context, { ...base, op, before: values(images.before), after: values(images.after) }, envelopeMs);
    return new AssembledChange(this.topic(relation.schema, relation.table), facts.lsn, decoded, writeText);
  }

  /** One pgoutput message sent at WAL position `walStart` (the change's own LSN). */
  accept(walStart: bigint, payload: Buffer): StreamEvent[] {
    const message = decodePgOutput(payload);
    const change = (relation: Relation, op: "c" | "u" | "d" | "t", images: { before?: TupleImage; after?: TupleImage }): StreamEvent => {
      const tx = this.transaction;
      if (!tx) throw new Error("pgoutput: change outside a transaction");
      return { kind: "change", change: this.assemble(relation, op, images, { lsn: walStart, txId: tx.xid, commitMs: tx.commitMs, snapshot: false }) };
    };
    switch (message.tag) {
      case "begin":
        this.transaction = { xid: String(message.xid), commitMs: pgMicrosToEpochMillis(message.commitMicros) };
        return [{ kind: "begin" }];
      case "commit":
        this.transaction = undefined;
        return [{ kind: "commit", endLsn: message.endLsn }];
      case "relation":
        this.relations.set(message.relationId, { schema: message.schema, table: message.table, columns: message.columns });
        return [];
      case "insert":
        return [change(this.relation(message.relationId), "c", { after: { tuple: message.newTuple } })];
      case "update": {
        const { oldTuple, oldIsKeyOnly } = message;
        const before = oldTuple ? { tuple: oldTuple, keyOnly: oldIsKeyOnly } : undefined;
        const unchangedFrom = oldIsKeyOnly ? null : oldTuple;
        return [change(this.relation(message.relationId), "u", { ...(before ? { before } : {}), after: { tuple: message.newTuple, unchangedFrom } })];
      }
      case "delete":
        return [change(this.relation(message.relationId), "d", { before: { tuple: message.oldTuple, keyOnly: message.oldIsKeyOnly } })];
      case "truncate":
        return message.relationIds.map((id) => change(this.relation(id), "t", {}));
      default:
        return [];
    }
  }

  /** Snapshot rows as op "r", all at one position below every change the slot will stream. */
  snapshotChanges(page: SnapshotPage, position: bigint, snapshotMs: number): AssembledChange[] {
    const relation: Relation = { schema: "public", table: page.table, columns: page.columns };
    return page.rows.map((row) => this.assemble(relation, "r", { after: { tuple: row } }, { lsn: position, txId: null, commitMs: snapshotMs, snapshot: true }));
  }
}
