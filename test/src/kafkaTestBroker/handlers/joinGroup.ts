// JoinGroup v1: parks the request in the coordinator's join barrier until every member of the
// group has rejoined (or the rebalance timeout drops the laggards). Only the leader gets the
// member list with metadata, because only it computes the assignment.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS } from "../protocolConstants.js";

export const joinGroupHandler: ApiHandler = {
  apiKey: API_KEYS.JoinGroup,
  minVersion: 1,
  maxVersion: 1,
  async handle(request, broker) {
    const { body } = request;
    const groupId = body.requiredString();
    const sessionTimeoutMs = body.int32();
    const rebalanceTimeoutMs = body.int32();
    const memberId = body.requiredString();
    const protocolType = body.requiredString();
    const protocols = body.array((r) => ({ name: r.requiredString(), metadata: r.bytes() ?? Buffer.alloc(0) })) ?? [];
    const result = await broker.groups.join({ groupId, memberId, clientId: request.clientId, sessionTimeoutMs, rebalanceTimeoutMs, protocolType, protocols });
    return new ProtocolWriter()
      .int16(result.errorCode)
      .int32(result.generationId)
      .string(result.protocol)
      .string(result.leaderId)
      .string(result.memberId)
      .array(result.members, (w, m) => w.string(m.memberId).bytes(m.metadata))
      .toBuffer();
  },
};
