// OffsetCommit v2: stores a group's positions, fenced by member id and generation so a member
// that lost its partitions in a rebalance cannot overwrite the new owner's progress.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS } from "../protocolConstants.js";

export const offsetCommitHandler: ApiHandler = {
  apiKey: API_KEYS.OffsetCommit,
  minVersion: 2,
  maxVersion: 2,
  async handle(request, broker) {
    const { body } = request;
    const groupId = body.requiredString();
    const generationId = body.int32();
    const memberId = body.requiredString();
    body.int64();
    const topics =
      body.array((r) => ({
        topic: r.requiredString(),
        partitions: r.array((p) => ({ partition: p.int32(), offset: p.int64(), metadata: p.string() })) ?? [],
      })) ?? [];
    const commits = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p })));
    const errorCode = broker.groups.commitOffsets(groupId, generationId, memberId, commits);
    const writer = new ProtocolWriter();
    writer.array(topics, (w, t) => w.string(t.topic).array(t.partitions, (pw, p) => pw.int32(p.partition).int16(errorCode)));
    return writer.toBuffer();
  },
};
