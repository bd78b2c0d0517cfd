// Judges a subgraph's answer: a coded rejection (e.g. a Decimal variable it cannot parse,
// answered with HTTP 400) reaches the client with its own code and message; other failures
// become a status error that names the subgraph, and a non-JSON body is an error too.
import { GraphQLError } from "graphql";
import type { SubgraphAnswer } from "./subgraphCall.js";

interface SubgraphErrorBody {
  errors?: { message?: unknown; extensions?: { code?: unknown; [key: string]: unknown } }[];
}

export interface AnswerContext {
  subgraph: string;
  url: string;
}

/** The answer's GraphQL body, or throws the error the client should see. */
export function graphqlBodyOf(answer: SubgraphAnswer, where: AnswerContext): Record<string, unknown> {
  if (answer.status < 200 || answer.status >= 300) throw errorFromAnswer(answer, where);
  if (typeof answer.body !== "object" || answer.body === null) {
    throw new Error(`Expected JSON response body from subgraph "${where.subgraph}", but received: ${String(answer.body).slice(0, 200)}`);
  }
  return answer.body as Record<string, unknown>;
}

function errorFromAnswer(answer: SubgraphAnswer, where: AnswerContext): GraphQLError {
  const body = answer.body as SubgraphErrorBody | string;
  const first = typeof body === "object" && body !== null ? body.errors?.[0] : undefined;
  if (answer.status === 400 && first && typeof first.message === "string" && typeof first.extensions?.code === "string") {
    const { code, ...rest } = first.extensions;
    return new GraphQLError(first.message, { extensions: { ...rest, code } });
  }
  const code = answer.status === 401 ? "UNAUTHENTICATED" : answer.status === 403 ? "FORBIDDEN" : undefined;
  return new GraphQLError(`${answer.status}: subgraph "${where.subgraph}" answered with an error`, {
    extensions: { ...(code ? { code } : {}), response: { url: where.url, status: answer.status, body } },
  });
}
