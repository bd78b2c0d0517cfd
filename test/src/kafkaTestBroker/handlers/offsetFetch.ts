// OffsetFetch v1: a group's committed positions; -1 where nothing was committed, which makes
// kafkajs fall back to the subscription's fromBeginning choice.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

export const offsetFetchHandler: ApiHandler = {
  apiKey: API_KEYS.OffsetFetch,
  minVersion: 1,
  maxVersion: 1,
  async handle(request, broker) {
    const { body } = request;
    const groupId = body.requiredString();
    const topics = body.array((r) => ({ topic: r.requiredString(), partitions: r.array((p) => p.int32()) ?? [] })) ?? [];
    const writer = new ProtocolWriter();
    writer.array(topics, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, partition) => {
        const committed = broker.groups.committedOffset(groupId, t.topic, partition);
        pw.int32(partition)
          .int64(committed?.offset ?? -1n)
          .string(committed?.metadata ?? "")
          .int16(ERROR_CODES.NONE);
      });
    });
    return writer.toBuffer();
  },
};
