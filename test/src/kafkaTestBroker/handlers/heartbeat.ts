// Heartbeat v0: keeps a member's session alive and is how members hear of a rebalance
// (REBALANCE_IN_PROGRESS), since the broker never pushes.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS } from "../protocolConstants.js";

export const heartbeatHandler: ApiHandler = {
  apiKey: API_KEYS.Heartbeat,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, broker) {
    const { body } = request;
    const groupId = body.requiredString();
    const generationId = body.int32();
    const memberId = body.requiredString();
    return new ProtocolWriter().int16(broker.groups.heartbeat(groupId, generationId, memberId)).toBuffer();
  },
};
