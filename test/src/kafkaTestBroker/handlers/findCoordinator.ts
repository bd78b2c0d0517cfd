// FindCoordinator v0-v1: the single node coordinates every group (and would every transaction).
import type { ApiHandler } from "../apiHandler.js";
import { ProtocolWriter } from "../protocolCodec.js";
import { API_KEYS, ERROR_CODES } from "../protocolConstants.js";

export const findCoordinatorHandler: ApiHandler = {
  apiKey: API_KEYS.FindCoordinator,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, broker) {
    request.body.string();
    if (request.apiVersion >= 1) request.body.int8();
    const { nodeId, host, port } = broker.node;
    const writer = new ProtocolWriter();
    if (request.apiVersion >= 1) writer.int32(0);
    writer.int16(ERROR_CODES.NONE);
    if (request.apiVersion >= 1) writer.string(null);
    return writer.int32(nodeId).string(host).int32(port).toBuffer();
  },
};
