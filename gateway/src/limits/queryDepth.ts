// Rejects operations nested deeper than the configured limit before any subgraph is called.
// Fragments are followed so they cannot hide depth; each fragment's depth is computed once
// (it does not depend on where it is spread), so the check stays linear in the document size
// even for fragments that spread each other many times over.
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from "graphql";
import { ErrorCode } from "@crossdock/schema";

class DepthMeter {
  private readonly fragmentDepth = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(private readonly fragments: Map<string, FragmentDefinitionNode>) {}

  of(selectionSet: SelectionSetNode | undefined): number {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        deepest = Math.max(deepest, selection.selectionSet ? 1 + this.of(selection.selectionSet) : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, this.of(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, this.fragment(selection.name.value));
      }
    }
    return deepest;
  }

  private fragment(name: string): number {
    const known = this.fragmentDepth.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // Unknown or cyclic spreads are reported by GraphQL's own rules; they add no depth here.
    if (!fragment || this.visiting.has(name)) return 0;
    this.visiting.add(name);
    const depth = this.of(fragment.selectionSet);
    this.visiting.delete(name);
    this.fragmentDepth.set(name, depth);
    return depth;
  }
}

export function maxDepthRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const meter = new DepthMeter(fragments);
    return {
      OperationDefinition(operation) {
        const depth = meter.of(operation.selectionSet);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${maxDepth}`, {
              nodes: [operation],
              extensions: { code: ErrorCode.QUERY_TOO_DEEP, depth, maxDepth },
            }),
          );
        }
      },
    };
  };
}
