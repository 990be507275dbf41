import type { AttributeValue, Attributes } from '../store/attribute-value';

/**
 * Attributes worth a glance in a one-line span view, in this order: the kubelet's pod keys, the gRPC status
 * (shown only when not OK), containerd's sandbox/container/image keys, HTTP routes and codes.
 */
const KEY_ATTRIBUTES = [
  'k8s.pod',
  'k8s.pod.update_type',
  'rpc.grpc.status_code',
  'sandbox.id',
  'container.name',
  'container.id',
  'image.ref',
  'http.route',
  'http.status_code',
  'http.response.status_code',
] as const;

const GRPC_OK = 0;

/** `key=value` pairs of the key attributes a span has (all of them when `all`). */
export function formatAttributes(attributes: Attributes, all: boolean): string[] {
  const keys = all ? Object.keys(attributes).sort() : KEY_ATTRIBUTES.filter((k) => k in attributes);
  return keys
    .filter((k) => all || !(k === 'rpc.grpc.status_code' && attributes[k] === GRPC_OK))
    .map((k) => `${k}=${formatValue(attributes[k] ?? null)}`);
}

export function formatValue(value: AttributeValue): string {
  if (value === null) return '(empty)';
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (Array.isArray(value) || typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : v));
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return String(value);
}
