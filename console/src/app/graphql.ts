// The console's only way into the hub: the public GraphQL API at /graphql, over HTTP POST for
// queries and mutations and graphql-ws for subscriptions, with the signed-in caller's token.
import { createClient, type Client } from "graphql-ws";

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

export class ConsoleRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "crossdock.console.token";

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  wsClient?.dispose();
  wsClient = undefined;
}

/** Runs one query or mutation; throws the first GraphQL error with its code. */
export async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = storedToken();
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "apollographql-client-name": "crossdock-console",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: GraphQLErrorShape[] };
  const first = body.errors?.[0];
  if (first) throw new ConsoleRequestError(first.message, first.extensions?.code);
  if (!response.ok || body.data === undefined) throw new ConsoleRequestError(`The hub answered HTTP ${response.status}`, undefined);
  return body.data;
}

let wsClient: Client | undefined;

function client(): Client {
  if (!wsClient) {
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    const token = storedToken();
    wsClient = createClient({ url, lazy: true, retryAttempts: Infinity, connectionParams: token ? { authorization: `Bearer ${token}` } : {} });
  }
  return wsClient;
}

/** Subscribes; returns the function that stops it. Errors reach `onError`, the stream retries on its own. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError: (message: string) => void): () => void {
  return client().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.[0]) onError(result.errors[0].message);
        else if (result.data) onData(result.data as T);
      },
      error: (error) => onError(error instanceof Error ? error.message : "the subscription closed"),
      complete: () => undefined,
    },
  );
}
