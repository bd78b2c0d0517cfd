// CreateTopics v0, for test setup through kafkajs's admin client. Replication factor and
// configs are accepted and ignored: there is one node and no retention.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

export const createTopicsHandler: ApiHandler = {
  apiKey: API_KEYS.CreateTopics,
  minVersion: 0,
  maxVersion: 0,
  async handle(request, broker) {
    const topics =
      request.body.array((r) => {
        const topic = r.requiredString();
        const numPartitions = r.int32();
        r.int16();
        const assignments = r.array((a) => ({ partition: a.int32(), replicas: a.array((x) => x.int32()) })) ?? [];
        r.array((c) => [c.string(), c.string()]);
        return { topic, numPartitions: numPartitions > 0 ? numPartitions : assignments.length > 0 ? assignments.length : undefined };
      }) ?? [];
    request.body.int32();
    const results = topics.map(({ topic, numPartitions }) => ({
      topic,
      errorCode: broker.store.create(topic, numPartitions) ? ERROR_CODES.NONE : ERROR_CODES.TOPIC_ALREADY_EXISTS,
    }));
    return new ProtocolWriter().array(results, (w, r) => w.string(r.topic).int16(r.errorCode)).toBuffer();
  },
};
