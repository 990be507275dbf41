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

/** How one field of a message is shaped, worked out once per message type (see planOf). */
interface FieldPlan {
  readonly kind: 'message' | 'repeated-message' | 'map-message' | 'list' | 'scalar';
  /** Message type of a message, repeated message or map-of-message field. */
  readonly type?: protobuf.Type;
  /** A member of a oneof: written even when it holds its zero value. */
  readonly oneofMember: boolean;
  readonly field: protobuf.Field;
}

const plans = new Map<protobuf.Type, Map<string, FieldPlan>>();

function planOf(type: protobuf.Type): Map<string, FieldPlan> {
  let plan = plans.get(type);
  if (plan !== undefined) return plan;
  plan = new Map();
  for (const [name, field] of Object.entries(type.fields)) {
    const messageType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const kind: FieldPlan['kind'] = field.map
      ? (messageType ? 'map-message' : 'list')
      : field.repeated
        ? (messageType ? 'repeated-message' : 'list')
        : messageType ? 'message' : 'scalar';
    plan.set(name, { kind, type: messageType, oneofMember: field.partOf !== null && field.partOf !== undefined, field });
  }
  plans.set(type, plan);
  return plan;
}

function strip(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const plan = planOf(type);
  const out: Record<string, unknown> = {};
  for (const name in value) {
    const v = value[name];
    const field = plan.get(name);
    if (field === undefined) {
      out[name] = v; // not a field (e.g. a oneof discriminator): leave it to the encoder
      continue;
    }
    if (v === null || v === undefined) continue;
    switch (field.kind) {
      case 'map-message': {
        let any = false;
        const entries: Record<string, unknown> = {};
        for (const k in v as Record<string, unknown>) {
          any = true;
          const e = (v as Record<string, unknown>)[k];
          entries[k] = e === null || e === undefined ? e : strip(field.type as protobuf.Type, e as Record<string, unknown>);
        }
        if (any) out[name] = entries;
        break;
      }
      case 'list':
        // a repeated scalar field, or a map of scalars: left out when empty
        if (Array.isArray(v) ? v.length > 0 : hasOwnKeys(v as Record<string, unknown>)) out[name] = v;
        break;
      case 'repeated-message': {
        const list = v as unknown[];
        if (list.length > 0) out[name] = list.map((e) => strip(field.type as protobuf.Type, e as Record<string, unknown>));
        break;
      }
      case 'message':
        out[name] = strip(field.type as protobuf.Type, v as Record<string, unknown>);
        break;
      default:
        if (field.oneofMember || !isZeroScalar(field.field, v)) out[name] = v; // a set oneof member is written even when zero
    }
  }
  return out;
}

function hasOwnKeys(value: Record<string, unknown>): boolean {
  for (const _ in value) return true;
  return false;
}

/**
 * A function giving a copy of a message `typeName` (e.g. "runtime.v1.StatusRequest") without the fields Go
 * leaves out; the type is looked up once, so serializers built at load time pay no lookup per call.
 */
export function goWireShaper(protoPath: string, typeName: string): (value: unknown) => unknown {
  const type = criRoot(protoPath).lookupType(typeName);
  planOf(type);
  return (value) => (value === null || typeof value !== 'object' ? value : strip(type, value as Record<string, unknown>));
}

/** A copy of `value` (message `typeName`, e.g. "runtime.v1.StatusRequest") without the fields Go leaves out. */
export function omitProto3Defaults(protoPath: string, typeName: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return strip(criRoot(protoPath).lookupType(typeName), value as Record<string, unknown>);
}
