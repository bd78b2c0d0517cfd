// LeaveGroup v0: a clean departure (consumer.disconnect); the rest of the group rebalances at
// once instead of waiting for the session to expire.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS } from "../protocolConstants.js";

export const leaveGroupHandler: ApiHandler = {
  apiKey: API_KEYS.LeaveGroup,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, broker) {
    const groupId = request.body.requiredString();
    const memberId = request.body.requiredString();
    return new ProtocolWriter().int16(broker.groups.leave(groupId, memberId)).toBuffer();
  },
};
