// A relation whose selection asks for nothing but the related entity's key (`customer {
// customerNumber }`, and the gateway's `{ __typename customerNumber }` when another subgraph
// resolves the rest) needs no row: the parent already holds the key, and the foreign key
// guarantees the row exists. Any other field, a fragment or a directive loads the row as usual.
import { Kind, type GraphQLResolveInfo } from "graphql";

export function selectsOnlyKey(info: GraphQLResolveInfo, key: string): boolean {
  return info.fieldNodes.every(
    (node) =>
      node.selectionSet !== undefined &&
      node.selectionSet.selections.every(
        (selection) =>
          selection.kind === Kind.FIELD && !selection.directives?.length && (selection.name.value === key || selection.name.value === "__typename"),
      ),
  );
}
