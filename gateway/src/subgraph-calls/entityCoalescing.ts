// Entity-fetch coalescing as a step of the subgraph call: `_entities` calls of concurrent
// operations with the same document, other variables and caller go out as one call
// (entityBatching.ts merges and splits); each operation's cache policy is still bounded by
// the answer it got a share of.
import { PRINCIPAL_HEADER } from "@crossdock/platform";
import { EntityFetchCoalescer, isEntitiesFetch, type EntityCall, type EntityResponse } from "../entityBatching.js";
import type { SubgraphAnswer, SubgraphCall } from "./subgraphCall.js";

interface PendingCall extends EntityCall {
  call: SubgraphCall;
  onAnswer(answer: SubgraphAnswer): void;
}

export interface EntityCoalescingOptions {
  send(call: SubgraphCall): Promise<SubgraphAnswer>;
  /** The answer's body, or throws the client's error (answerErrors.ts). */
  judge(answer: SubgraphAnswer): EntityResponse;
  maxRepresentations?: number | undefined;
}

export class EntityCoalescing {
  private readonly coalescer: EntityFetchCoalescer<PendingCall>;

  constructor(private readonly options: EntityCoalescingOptions) {
    this.coalescer = new EntityFetchCoalescer<PendingCall>((calls, representations) => this.sendMerged(calls, representations), options.maxRepresentations);
  }

  /** The call's answer through a merged call, or undefined when it is not an entity fetch. */
  fetch(call: SubgraphCall, onAnswer: (answer: SubgraphAnswer) => void): Promise<EntityResponse> | undefined {
    const { query, variables, operationName } = call.body;
    if (!isEntitiesFetch(query, variables)) return undefined;
    const { representations, ...others } = variables as { representations: unknown[] };
    const key = `${call.headers[PRINCIPAL_HEADER] ?? ""}\n${operationName ?? ""}\n${JSON.stringify(others)}\n${query}`;
    return this.coalescer.fetch({ key, representations, call, onAnswer });
  }

  private async sendMerged(calls: readonly PendingCall[], representations: unknown[]): Promise<EntityResponse> {
    const first = calls[0]!;
    const answer = await this.options.send({ ...first.call, body: { ...first.call.body, variables: { ...first.call.body.variables, representations } } });
    const response = this.options.judge(answer);
    for (const pending of calls) pending.onAnswer(answer);
    return response;
  }
}
