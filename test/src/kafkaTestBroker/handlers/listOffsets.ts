// ListOffsets v1: earliest (-2), latest (-1) or the first offset at/after a timestamp. kafkajs
// asks this when a group has no committed offset, to honour fromBeginning.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, EARLIEST_TIMESTAMP, ERROR_CODES, LATEST_TIMESTAMP } from "../protocolConstants.js";

export const listOffsetsHandler: ApiHandler = {
  apiKey: API_KEYS.ListOffsets,
  minVersion: 1,
  maxVersion: 1,
  async handle(request, broker) {
    const { body } = request;
    body.int32();
    const topics =
      body.array((r) => {
        const topic = r.requiredString();
        const partitions =
          r.array((p) => {
            const partition = p.int32();
            const timestamp = p.int64();
            const log = broker.store.partition(topic, partition);
            if (!log) return { partition, errorCode: ERROR_CODES.UNKNOWN_TOPIC_OR_PARTITION, offset: -1n };
            const offset =
              timestamp === LATEST_TIMESTAMP ? log.highWatermark : timestamp === EARLIEST_TIMESTAMP ? log.logStartOffset : log.offsetForTimestamp(timestamp);
            return { partition, errorCode: ERROR_CODES.NONE, offset };
          }) ?? [];
        return { topic, partitions };
      }) ?? [];
    const writer = new ProtocolWriter();
    writer.array(topics, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, p) => pw.int32(p.partition).int16(p.errorCode).int64(-1).int64(p.offset));
    });
    return writer.toBuffer();
  },
};
