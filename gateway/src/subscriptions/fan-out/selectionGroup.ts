// Subscribers with the same principal and the same canonical selection form one group: each
// change is resolved and shaped once per group (remembered per cursor for a while, so
// subscribers resuming from the same cursor reuse it) and the same response goes to all of them.
import type { GraphQLSchema } from "graphql";
import type { Principal } from "@crossdock/platform";
import { shapeEvent, type ErrorFormatter, type EventResponse } from "../resolution/eventShaping.js";
import type { CanonicalSelection } from "../operationPlan.js";
import type { ResolutionBatcher } from "../resolution/resolutionBatcher.js";
import type { StreamEvent } from "../streamFields.js";

export interface SelectionGroupServices {
  batcher: ResolutionBatcher;
  schema: () => GraphQLSchema;
  formatError: ErrorFormatter;
}

const REMEMBERED_CURSORS = 512;

export class SelectionGroup {
  members = 0;
  private readonly byCursor = new Map<string, Promise<EventResponse>>();

  constructor(
    readonly key: string,
    readonly selection: CanonicalSelection,
    readonly principal: Principal,
    private readonly services: SelectionGroupServices,
  ) {}

  /** The response for `event`; shared by every member that receives this change. */
  respond(event: StreamEvent, remember = true): Promise<EventResponse> {
    const id = `${event.cursor}|${event.entityKey}`;
    const known = remember ? this.byCursor.get(id) : undefined;
    if (known) return known;
    const response = this.services.batcher
      .resolve(this.selection, this.principal, event)
      .then((entity) => shapeEvent({ schema: this.services.schema(), selection: this.selection, event, entity, formatError: this.services.formatError }))
      .catch((): EventResponse => ({ data: null, errors: [{ message: "The event could not be resolved", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
    if (remember) {
      if (this.byCursor.size >= REMEMBERED_CURSORS) this.byCursor.delete(this.byCursor.keys().next().value!);
      this.byCursor.set(id, response);
    }
    return response;
  }
}
