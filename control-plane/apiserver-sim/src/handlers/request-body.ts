import type { IncomingHttpHeaders } from 'node:http';
import { decodeKubeProtobuf, isProtobufMediaType, PROTOBUF_MEDIA_TYPE, ProtobufDecodeError } from '../serializer/kube-protobuf';
import { badRequest, StatusError } from './responses';

/** The request media types apiserver-sim decodes (the apiserver's serializers, less YAML and CBOR). */
export const ACCEPTED_REQUEST_MEDIA_TYPES = ['application/json', PROTOBUF_MEDIA_TYPE] as const;

/**
 * Decode a request body by its Content-Type, as handlers/create.go (and update.go, delete.go) do with the
 * negotiated serializer: JSON or Kubernetes protobuf to the same JSON-shaped object; another type is a 415
 * (negotiation.NewUnsupportedMediaTypeError). `expectedKind` is the kind the endpoint takes, for the 400 of
 * an undecodable body (transformDecodeError: `<Kind> in version "<v>" cannot be handled as a <Kind>: …`).
 * A body without Content-Type is taken as JSON.
 */
export function decodeRequestObject(headers: IncomingHttpHeaders, body: Buffer, expectedKind: string): Record<string, unknown> {
  const contentType = (headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (isProtobufMediaType(contentType)) {
    try {
      return decodeKubeProtobuf(body).object;
    } catch (err) {
      if (!(err instanceof ProtobufDecodeError)) throw err;
      if (err.kind !== undefined) throw badRequest(`${err.kind} in version ${JSON.stringify(err.version ?? '')} cannot be handled as a ${expectedKind}: ${err.message}`);
      throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): ${err.message} (${summarizeData(body)})`);
    }
  }
  if (contentType !== 'application/json') {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${ACCEPTED_REQUEST_MEDIA_TYPES.join(', ')}`);
  }
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('the body is not a JSON object');
  return parsed as Record<string, unknown>;
}

/** handlers/rest.go summarizeData: the first 30 bytes, as text when JSON, else hex. */
function summarizeData(data: Buffer, maxLength = 30): string {
  if (data.length === 0) return '<empty>';
  if (data[0] === 0x7b) return data.length > maxLength ? `${data.subarray(0, maxLength).toString('utf8')} ...` : data.toString('utf8');
  return data.length > maxLength ? `${data.subarray(0, maxLength).toString('hex')} ...` : data.toString('hex');
}
