// Turns the pgoutput stream (and snapshot pages) into Debezium envelope texts. It keeps the
// relation cache, so a schema change (a Relation message after ALTER TABLE) applies from the
// next change on; a change for a relation it has not been told about is an error, not a guess.
import { envelopeText, rowJson, type EnvelopeContext } from "./changeEnvelope.js";
import { pgMicrosToEpochMillis } from "./lsn.js";
import { decodePgOutput, type PgColumn } from "./pgoutputDecoder.js";
import type { SnapshotPage } from "./snapshotReader.js";

export interface AssembledChange {
  readonly topic: string;
  readonly value: string;
  readonly lsn: bigint;
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

  /** One pgoutput message sent at WAL position `walStart` (the change's own LSN). */
  accept(walStart: bigint, payload: Buffer): StreamEvent[] {
    const message = decodePgOutput(payload);
    const change = (relation: Relation, op: "c" | "u" | "d" | "t", before: string | null, after: string | null): StreamEvent => {
      const tx = this.transaction;
      if (!tx) throw new Error("pgoutput: change outside a transaction");
      const facts = { op, schema: relation.schema, table: relation.table, before, after, lsn: walStart, txId: tx.xid, commitMs: tx.commitMs, snapshot: false };
      return { kind: "change", change: { topic: this.topic(relation.schema, relation.table), value: envelopeText(this.context, facts), lsn: walStart } };
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
      case "insert": {
        const relation = this.relation(message.relationId);
        return [change(relation, "c", null, rowJson(relation.columns, message.newTuple, this.context))];
      }
      case "update": {
        const relation = this.relation(message.relationId);
        const { oldTuple, oldIsKeyOnly } = message;
        const before = oldTuple ? rowJson(relation.columns, oldTuple, this.context, { keyOnly: oldIsKeyOnly }) : null;
        const unchangedFrom = oldIsKeyOnly ? null : oldTuple;
        return [change(relation, "u", before, rowJson(relation.columns, message.newTuple, this.context, { unchangedFrom }))];
      }
      case "delete": {
        const relation = this.relation(message.relationId);
        return [change(relation, "d", rowJson(relation.columns, message.oldTuple, this.context, { keyOnly: message.oldIsKeyOnly }), null)];
      }
      case "truncate":
        return message.relationIds.map((id) => change(this.relation(id), "t", null, null));
      default:
        return [];
    }
  }

  /** Snapshot rows as op "r", all at one position below every change the slot will stream. */
  snapshotChanges(page: SnapshotPage, position: bigint, snapshotMs: number): AssembledChange[] {
    return page.rows.map((row) => {
      const after = rowJson(page.columns, row, this.context);
      const facts = {
        op: "r" as const,
        schema: "public",
        table: page.table,
        before: null,
        after,
        lsn: position,
        txId: null,
        commitMs: snapshotMs,
        snapshot: true,
      };
      return { topic: this.topic("public", page.table), value: envelopeText(this.context, facts), lsn: position };
    });
  }
}
