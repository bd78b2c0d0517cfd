// Metadata v1: this single node is every partition's leader and the controller. Unknown topics
// named in the request are created on the spot when auto-creation is on, as Kafka's
// auto.create.topics.enable does; a null topic list means "all topics".
import type { ApiHandler, BrokerContext } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

function writeTopic(writer: ProtocolWriter, broker: BrokerContext, topic: string): void {
  const partitions = broker.store.partitions(topic);
  const { nodeId } = broker.node;
  writer
    .int16(partitions ? ERROR_CODES.NONE : ERROR_CODES.UNKNOWN_TOPIC_OR_PARTITION)
    .string(topic)
    .boolean(false);
  writer.array(partitions ? partitions.map((_, index) => index) : [], (w, partition) =>
    w
      .int16(ERROR_CODES.NONE)
      .int32(partition)
      .int32(nodeId)
      .array([nodeId], (ww, id) => ww.int32(id))
      .array([nodeId], (ww, id) => ww.int32(id)),
  );
}

export const metadataHandler: ApiHandler = {
  apiKey: API_KEYS.Metadata,
  minVersion: 1,
  maxVersion: 1,
  async handle(request, broker) {
    const requested = request.body.array((r) => r.requiredString());
    if (requested && broker.autoCreateTopics) for (const topic of requested) broker.store.create(topic);
    const topics = requested ?? broker.store.names();
    const { nodeId, host, port } = broker.node;
    const writer = new ProtocolWriter();
    writer.array([broker.node], (w) => w.int32(nodeId).string(host).int32(port).string(null));
    writer.int32(nodeId);
    writer.array(topics, (w, topic) => writeTopic(w, broker, topic));
    return writer.toBuffer();
  },
};
