// Field usage per client: which fields each client's operations select, deprecated ones marked,
// so "which client still uses this deprecated field" has an answer in /metrics. The fields of an
// operation are found once per document; a request adds one to its document's count for its
// client, and the counts are spread over the fields only when the metrics are read.
import { Kind, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from "graphql";
import { Counter, type Registry } from "@crossdock/platform";

interface OperationFields {
  /** `Type.field` of every field the operation selects, each once. */
  fields: readonly { coordinate: string; deprecated: boolean }[];
  /** Requests not yet in the counter, by client name. */
  pending: Map<string, number>;
}

export class FieldUsage {
  private readonly perDocument = new WeakMap<DocumentNode, Map<string, OperationFields>>();
  private readonly pending = new Set<OperationFields>();

  constructor(registry: Registry) {
    const drain = (counter: Counter<"client" | "field" | "deprecated">) => {
      for (const operation of this.pending) {
        for (const [client, count] of operation.pending) {
          for (const field of operation.fields) counter.inc({ client, field: field.coordinate, deprecated: String(field.deprecated) }, count);
        }
        operation.pending.clear();
      }
      this.pending.clear();
    };
    new Counter({
      name: "crossdock_field_usage_total",
      help: "Operations selecting a field, by client (apollographql-client-name) and field (Type.field); deprecated fields marked",
      labelNames: ["client", "field", "deprecated"],
      registers: [registry],
      collect() {
        drain(this);
      },
    });
  }

  record(args: { schema: GraphQLSchema; document: DocumentNode; operationName: string | null | undefined; client: string }): void {
    let perOperation = this.perDocument.get(args.document);
    if (!perOperation) this.perDocument.set(args.document, (perOperation = new Map()));
    const name = args.operationName ?? "";
    let operation = perOperation.get(name);
    if (!operation) perOperation.set(name, (operation = { fields: fieldsOf(args.schema, args.document, args.operationName), pending: new Map() }));
    operation.pending.set(args.client, (operation.pending.get(args.client) ?? 0) + 1);
    this.pending.add(operation);
  }
}

/** The fields an operation selects (fragments included: a document's fragments serve its operations), without introspection. */
function fieldsOf(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): OperationFields["fields"] {
  const selected = document.definitions.filter(
    (d) => d.kind === Kind.FRAGMENT_DEFINITION || (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)),
  );
  const fields = new Map<string, boolean>();
  const typeInfo = new TypeInfo(schema);
  visit(
    { ...document, definitions: selected },
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const definition = typeInfo.getFieldDef();
        if (!parent || !definition || node.name.value.startsWith("__")) return;
        fields.set(`${parent.name}.${definition.name}`, definition.deprecationReason != null);
      },
    }),
  );
  return [...fields].map(([coordinate, deprecated]) => ({ coordinate, deprecated }));
}
