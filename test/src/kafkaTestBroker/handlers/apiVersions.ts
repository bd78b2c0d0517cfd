// ApiVersions v0-v2: tells kafkajs which API versions the fake implements, so it never sends a
// layout the handlers cannot read. v1+ only add throttle_time_ms.
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

export function apiVersionsHandler(advertised: () => readonly ApiHandler[]): ApiHandler {
  return {
    apiKey: API_KEYS.ApiVersions,
    minVersion: 0,
    maxVersion: 2,
    async handle(request) {
      const writer = new ProtocolWriter().int16(ERROR_CODES.NONE);
      writer.array(advertised(), (w, api) => w.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion));
      if (request.apiVersion >= 1) writer.int32(0);
      return writer.toBuffer();
    },
  };
}

/** What Kafka answers to an ApiVersions version it does not know: v0 layout, UNSUPPORTED_VERSION. */
export function unsupportedApiVersionsResponse(advertised: readonly ApiHandler[]): Buffer {
  return new ProtocolWriter()
    .int16(ERROR_CODES.UNSUPPORTED_VERSION)
    .array(advertised, (w, api) => w.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion))
    .toBuffer();
}
