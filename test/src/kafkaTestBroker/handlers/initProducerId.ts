// InitProducerId v0-v1: hands an idempotent producer its id (epoch 0). Only what an idempotent
// producer without a transactional id needs: the broker stores batches as sent and does not
// check their sequence numbers, so it does not deduplicate retried batches as Kafka would.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

let nextProducerId = 1000n;

export const initProducerIdHandler: ApiHandler = {
  apiKey: API_KEYS.InitProducerId,
  minVersion: 0,
  maxVersion: 1,
  async handle(request) {
    const transactionalId = request.body.string();
    request.body.int32();
    const writer = new ProtocolWriter().int32(0);
    // Transactions are not implemented: a transactional producer is refused, not half served.
    if (transactionalId !== null) return writer.int16(ERROR_CODES.UNSUPPORTED_VERSION).int64(-1n).int16(-1).toBuffer();
    const producerId = nextProducerId++;
    return writer.int16(ERROR_CODES.NONE).int64(producerId).int16(0).toBuffer();
  },
};
