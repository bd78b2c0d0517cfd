// Rejects operations with more aliases than the configured limit: aliases multiply the work a
// single request asks of the subgraphs (the classic alias-amplification attack). Aliases are
// counted per operation through its fragments, once per spread: a fragment spread ten times
// asks ten times. Each fragment is counted once and its count reused, so fragments that spread
// each other many times over stay linear to check.
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from "graphql";
import { ErrorCode } from "@crossdock/schema";

class AliasCounter {
  private readonly perFragment = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>) {}

  of(selectionSet: SelectionSetNode | undefined): number {
    if (!selectionSet) return 0;
    let aliases = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) aliases += (selection.alias ? 1 : 0) + this.of(selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) aliases += this.of(selection.selectionSet);
      else aliases += this.fragment(selection.name.value);
    }
    return aliases;
  }

  private fragment(name: string): number {
    const known = this.perFragment.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // Unknown or cyclic spreads are reported by GraphQL's own rules; they add nothing here.
    if (!fragment || this.visiting.has(name)) return 0;
    this.visiting.add(name);
    const aliases = this.of(fragment.selectionSet);
    this.visiting.delete(name);
    this.perFragment.set(name, aliases);
    return aliases;
  }
}

export function maxAliasesRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    const counter = new AliasCounter(fragments);
    return {
      OperationDefinition(operation) {
        const aliases = counter.of(operation.selectionSet);
        if (aliases > maxAliases) {
          context.reportError(
            new GraphQLError(`The operation uses ${aliases} aliases, more than the limit of ${maxAliases}`, {
              nodes: [operation],
              extensions: { code: ErrorCode.TOO_MANY_ALIASES, aliases, maxAliases },
            }),
          );
        }
      },
    };
  };
}
