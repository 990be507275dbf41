/**
 * Proto3 wire bytes as Go writes them. Go's proto.Marshal leaves out every scalar field that holds its zero
 * value (0, false, "", empty bytes, the 0 enum value) and every empty repeated or map field; protobufjs,
 * under @grpc/proto-loader, writes any field that is set, and proto-loader's `defaults: true` sets them all.
 * So a CRI `StatusRequest{verbose: false}` was 2 bytes from us and 0 from a Go kubelet, and every otelgrpc
 * `message` event size differed. omitProto3Defaults() drops what Go would not write, using the CRI types'
 * reflection (field kind, repeated, map), so that both sims put Go-identical bytes on the wire.
 * Message fields stay when present, even empty (Go writes a present empty message); null ones go.
 */
import * as protobuf from 'protobufjs';

let root: protobuf.Root | undefined;

function criRoot(protoPath: string): protobuf.Root {
  if (root === undefined) {
    // keepCase: the sims use the proto's snake_case names, as proto-loader is told to (load-cri.ts).
    root = new protobuf.Root().loadSync(protoPath, { keepCase: true });
    root.resolveAll();
  }
  return root;
}

const ZERO_STRINGS: ReadonlySet<string> = new Set(['0', '']);

function isZeroScalar(field: protobuf.Field, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (field.resolvedType instanceof protobuf.Enum) {
    return value === 0 || (typeof value === 'string' && field.resolvedType.values[value] === 0);
  }
  switch (field.type) {
    case 'bool':
      return value === false;
    case 'string':
      return value === '';
    case 'bytes':
      return (value instanceof Uint8Array || Buffer.isBuffer(value)) ? value.length === 0 : value === '';
    default:
      // numbers; 64-bit ones arrive as decimal strings (longs: String)
      return value === 0 || (typeof value === 'string' && ZERO_STRINGS.has(value));
  }
}

function strip(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const field = type.fields[name];
    if (field === undefined) {
      out[name] = v; // not a field (e.g. a oneof discriminator): leave it to the encoder
      continue;
    }
    if (v === null || v === undefined) continue;
    if (field.map) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) continue;
      out[name] = field.resolvedType instanceof protobuf.Type
        ? Object.fromEntries(entries.map(([k, e]) => [k, e === null || e === undefined ? e : strip(field.resolvedType as protobuf.Type, e as Record<string, unknown>)]))
        : v;
      continue;
    }
    if (field.repeated) {
      const list = v as unknown[];
      if (list.length === 0) continue;
      out[name] = field.resolvedType instanceof protobuf.Type ? list.map((e) => strip(field.resolvedType as protobuf.Type, e as Record<string, unknown>)) : list;
      continue;
    }
    if (field.resolvedType instanceof protobuf.Type) {
      out[name] = strip(field.resolvedType, v as Record<string, unknown>);
      continue;
    }
    if (field.partOf || !isZeroScalar(field, v)) out[name] = v; // a set oneof member is written even when zero
  }
  return out;
}

/** A copy of `value` (message `typeName`, e.g. "runtime.v1.StatusRequest") without the fields Go leaves out. */
export function omitProto3Defaults(protoPath: string, typeName: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return strip(criRoot(protoPath).lookupType(typeName), value as Record<string, unknown>);
}
