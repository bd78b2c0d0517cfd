// Rejects operations nested deeper than the configured limit before any subgraph is called.
// Introspection (`__schema`, `__type`) is held to a limit of its own: it is answered by the
// gateway, and the standard introspection query (Sandbox's) is 15 deep, but an `ofType` or
// `fields { type { fields … } }` chain without a bound is work all the same.
// Fragments are followed so they cannot hide depth; each fragment's depth is computed once
// (it does not depend on where it is spread), so the check stays linear in the document size
// even for fragments that spread each other many times over.
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from "graphql";
import { ErrorCode } from "@crossdock/schema";

/** The depth the standard introspection query (graphql-js getIntrospectionQuery, every option on) needs. */
export const INTROSPECTION_DEPTH = 15;

/** Which part of an operation a meter measures: the graph's fields, or the introspection subtrees. */
type Part = "graph" | "introspection";

const isIntrospectionRoot = (name: string) => name === "__schema" || name === "__type";

class DepthMeter {
  private readonly fragmentDepth = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly part: Part,
  ) {}

  /** `inside`: the selection set is already within an introspection field. */
  of(selectionSet: SelectionSetNode | undefined, inside = false): number {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const entering = !inside && isIntrospectionRoot(selection.name.value);
        // Each part skips the other's subtrees; __typename is a leaf of either.
        if (this.part === "graph" && entering) continue;
        if (this.part === "introspection" && !inside && !entering) continue;
        deepest = Math.max(deepest, selection.selectionSet ? 1 + this.of(selection.selectionSet, inside || entering) : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, this.of(selection.selectionSet, inside));
      } else {
        deepest = Math.max(deepest, this.fragment(selection.name.value, inside));
      }
    }
    return deepest;
  }

  private fragment(name: string, inside: boolean): number {
    const key = `${inside ? "+" : "-"}${name}`;
    const known = this.fragmentDepth.get(key);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // Unknown or cyclic spreads are reported by GraphQL's own rules; they add no depth here.
    if (!fragment || this.visiting.has(key)) return 0;
    this.visiting.add(key);
    const depth = this.of(fragment.selectionSet, inside);
    this.visiting.delete(key);
    this.fragmentDepth.set(key, depth);
    return depth;
  }
}

export function maxDepthRule(maxDepth: number, maxIntrospectionDepth = Math.max(maxDepth, INTROSPECTION_DEPTH)) {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const graph = new DepthMeter(fragments, "graph");
    const introspection = new DepthMeter(fragments, "introspection");
    return {
      OperationDefinition(operation) {
        for (const [depth, limit] of [
          [graph.of(operation.selectionSet), maxDepth],
          [introspection.of(operation.selectionSet), maxIntrospectionDepth],
        ] as const) {
          if (depth <= limit) continue;
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${limit}`, {
              nodes: [operation],
              extensions: { code: ErrorCode.QUERY_TOO_DEEP, depth, maxDepth: limit },
            }),
          );
          return;
        }
      },
    };
  };
}
