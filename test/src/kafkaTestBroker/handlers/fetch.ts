// Fetch v4: returns stored record batches from each requested offset, long-polling up to
// max_wait_time when there is nothing new so idle consumers do not spin. An offset past the
// high watermark is OFFSET_OUT_OF_RANGE; kafkajs then resets to its default offset.
import type { ApiHandler, BrokerContext } from "../apiHandler.js";
import { ProtocolWriter, type ProtocolReader } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

interface PartitionFetch {
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
}

interface TopicFetch {
  topic: string;
  partitions: PartitionFetch[];
}

interface PartitionData {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  records: Buffer;
}

function readTopics(body: ProtocolReader): TopicFetch[] {
  return (
    body.array((r) => ({
      topic: r.requiredString(),
      partitions: r.array((p) => ({ partition: p.int32(), fetchOffset: p.int64(), maxBytes: p.int32() })) ?? [],
    })) ?? []
  );
}

function collect(
  broker: BrokerContext,
  topics: readonly TopicFetch[],
  maxBytes: number,
): { data: Array<{ topic: string; partitions: PartitionData[] }>; bytes: number } {
  let bytes = 0;
  const data = topics.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map(({ partition, fetchOffset, maxBytes: partitionMax }): PartitionData => {
      const log = broker.store.partition(topic, partition);
      if (!log) return { partition, errorCode: ERROR_CODES.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1n, records: Buffer.alloc(0) };
      const { highWatermark } = log;
      if (fetchOffset < log.logStartOffset || fetchOffset > highWatermark) {
        return { partition, errorCode: ERROR_CODES.OFFSET_OUT_OF_RANGE, highWatermark, records: Buffer.alloc(0) };
      }
      // The response-wide limit still lets the first non-empty partition through whole.
      const budget = bytes === 0 ? partitionMax : Math.min(partitionMax, maxBytes - bytes);
      const records = budget > 0 ? log.read(fetchOffset, budget) : Buffer.alloc(0);
      bytes += records.length;
      return { partition, errorCode: ERROR_CODES.NONE, highWatermark, records };
    }),
  }));
  return { data, bytes };
}

export const fetchHandler: ApiHandler = {
  apiKey: API_KEYS.Fetch,
  minVersion: 4,
  maxVersion: 4,
  async handle(request, broker) {
    const { body } = request;
    body.int32();
    const maxWaitMs = body.int32();
    const minBytes = body.int32();
    const maxBytes = body.int32();
    body.int8();
    const topics = readTopics(body);
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    let result = collect(broker, topics, maxBytes);
    const hasError = () => result.data.some((t) => t.partitions.some((p) => p.errorCode !== ERROR_CODES.NONE));
    while (result.bytes < Math.max(1, minBytes) && !hasError() && !broker.closing && Date.now() < deadline) {
      await broker.store.waitForAppend(deadline - Date.now());
      result = collect(broker, topics, maxBytes);
    }
    const writer = new ProtocolWriter().int32(0);
    writer.array(result.data, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, p) => {
        pw.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.highWatermark);
        pw.array([], () => undefined);
        pw.bytes(p.records);
      });
    });
    return writer.toBuffer();
  },
};
