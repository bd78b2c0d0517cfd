// SyncGroup v0: the leader hands in every member's assignment; followers wait for it. The
// broker relays the bytes untouched.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS } from "../protocolConstants.js";

export const syncGroupHandler: ApiHandler = {
  apiKey: API_KEYS.SyncGroup,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, broker) {
    const { body } = request;
    const groupId = body.requiredString();
    const generationId = body.int32();
    const memberId = body.requiredString();
    const assignments = new Map<string, Buffer>();
    body.array((r) => assignments.set(r.requiredString(), r.bytes() ?? Buffer.alloc(0)));
    const result = await broker.groups.sync(groupId, generationId, memberId, assignments);
    return new ProtocolWriter().int16(result.errorCode).bytes(result.assignment).toBuffer();
  },
};
