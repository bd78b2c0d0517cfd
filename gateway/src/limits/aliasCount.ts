// Rejects operations with more aliases than the configured limit: aliases multiply the work a
// single request asks of the subgraphs (the classic alias-amplification attack).
import { GraphQLError, type ASTVisitor, type ValidationContext } from "graphql";
import { ErrorCode } from "@crossdock/schema";

export function maxAliasesRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(field) {
        if (!field.alias) return;
        aliases++;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(`The operation uses more than ${maxAliases} aliases`, {
              nodes: [field],
              extensions: { code: ErrorCode.TOO_MANY_ALIASES, maxAliases },
            }),
          );
        }
      },
    };
  };
}
