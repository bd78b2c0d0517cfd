// Produce v3: appends each partition's record set (magic v2 batches) to the log and answers
// with the base offset. Transactions are not supported. An idempotent producer's batches (with
// the id InitProducerId gave it) are stored as sent: sequence numbers are not checked.
import type { ApiHandler } from "../apiHandler.js";
import { CorruptRecordBatchError } from "../log.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

interface PartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: bigint;
}

export const produceHandler: ApiHandler = {
  apiKey: API_KEYS.Produce,
  minVersion: 3,
  maxVersion: 3,
  async handle(request, broker) {
    const { body } = request;
    body.string();
    const acks = body.int16();
    body.int32();
    const topics =
      body.array((r) => {
        const topic = r.requiredString();
        const partitions =
          r.array((p): PartitionResult => {
            const partition = p.int32();
            const recordSet = p.bytes() ?? Buffer.alloc(0);
            if (!broker.store.partition(topic, partition)) return { partition, errorCode: ERROR_CODES.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1n };
            try {
              return { partition, errorCode: ERROR_CODES.NONE, baseOffset: broker.store.append(topic, partition, recordSet) };
            } catch (error) {
              if (error instanceof CorruptRecordBatchError) return { partition, errorCode: ERROR_CODES.CORRUPT_MESSAGE, baseOffset: -1n };
              throw error;
            }
          }) ?? [];
        return { topic, partitions };
      }) ?? [];
    if (acks === 0) return null;
    const writer = new ProtocolWriter();
    writer.array(topics, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, p) => pw.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(-1));
    });
    return writer.int32(0).toBuffer();
  },
};
