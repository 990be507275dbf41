import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { POINTER_SCALAR_FIELDS } from './pointer-scalar-fields';

/**
 * The Kubernetes protobuf wire format as the apiserver reads it
 * (k8s.io/apimachinery@v0.33.9 pkg/runtime/serializer/protobuf/protobuf.go): the 4 bytes `k8s\0`, then a
 * runtime.Unknown whose typeMeta names the kind and whose raw holds the object's own message
 * (k8s.io/api generated.proto). The object is decoded to the JSON shape the JSON path produces (the Go
 * types' json names; Time as RFC 3339, MicroTime with microseconds, Quantity as its string, IntOrString as a
 * number or a string, FieldsV1 as its JSON), so defaulting, validation and storage see the same thing.
 * Zero scalars of non-pointer Go fields are left out (Go's omitempty); see POINTER_SCALAR_FIELDS.
 * A field number our .proto does not know is an error naming it, never silently dropped.
 */

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** protobuf.go: the prefix every Kubernetes protobuf object starts with. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/**
 * A body that is not a decodable Kubernetes protobuf object; `message` reads like the Go decoder's error, and
 * `version`/`kind` are the envelope's once it was read (transformDecodeError names them).
 */
export class ProtobufDecodeError extends Error {
  version?: string;
  kind?: string;
}

const PROTO_FILES = ['core-v1.proto', 'coordination-v1.proto', 'policy-v1.proto', 'meta-v1.proto', 'runtime.proto'];

/** apiVersion/kind → the message holding that kind (the kinds whose bodies apiserver-sim accepts). */
const KIND_MESSAGES: Readonly<Record<string, string>> = {
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/Pod': 'k8s.io.api.core.v1.Pod',
  'v1/Node': 'k8s.io.api.core.v1.Node',
  'v1/Binding': 'k8s.io.api.core.v1.Binding',
  'coordination.k8s.io/v1/Lease': 'k8s.io.api.coordination.v1.Lease',
  'policy/v1/Eviction': 'k8s.io.api.policy.v1.Eviction',
  'v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'meta.k8s.io/v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  // DeleteOptions is registered in every group version; client-go frames it with its client's.
  'coordination.k8s.io/v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'policy/v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
};

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Find control-plane/apiserver-sim/proto from the source or the compiled tree. */
function protoDir(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'control-plane', 'apiserver-sim', 'proto');
    if (fs.existsSync(path.join(candidate, 'core-v1.proto'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find control-plane/apiserver-sim/proto above ${startDir}`);
    dir = parent;
  }
}

let root: protobuf.Root | undefined;
/** Loaded on the first protobuf body, once. */
export function kubeRoot(): protobuf.Root {
  if (root) return root;
  const dir = protoDir();
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => path.join(dir, path.basename(target));
  r.loadSync(PROTO_FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

/** The runtime.Unknown envelope. */
export interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

export function isProtobufMediaType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/** protobuf.go Serializer.Decode's first steps: the prefix, then runtime.Unknown. */
export function decodeEnvelope(body: Buffer): UnknownEnvelope {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw new ProtobufDecodeError(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  const u = decodeMessage(kubeRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown'), body.subarray(PROTOBUF_MAGIC.length), 'Unknown', true);
  const typeMeta = (u.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  return {
    apiVersion: typeMeta.apiVersion ?? '',
    kind: typeMeta.kind ?? '',
    raw: u.raw === undefined ? Buffer.alloc(0) : Buffer.from(String(u.raw), 'base64'),
    contentEncoding: String(u.contentEncoding ?? ''),
    contentType: String(u.contentType ?? ''),
  };
}

/**
 * Decode a Kubernetes protobuf body to its JSON-shaped object, with apiVersion and kind set from the envelope
 * (as the protobuf serializer sets the object's GVK). Throws ProtobufDecodeError.
 */
export function decodeKubeProtobuf(body: Buffer): { apiVersion: string; kind: string; object: Record<string, unknown> } {
  const env = decodeEnvelope(body);
  try {
    return decodeObject(env);
  } catch (err) {
    if (err instanceof ProtobufDecodeError && env.kind !== '') {
      err.kind = env.kind;
      err.version = env.apiVersion.split('/').pop();
    }
    throw err;
  }
}

function decodeObject(env: UnknownEnvelope): { apiVersion: string; kind: string; object: Record<string, unknown> } {
  if (env.contentEncoding !== '') throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(env.contentEncoding)}`);
  const messageName = KIND_MESSAGES[`${env.apiVersion}/${env.kind}`];
  if (!messageName) throw new ProtobufDecodeError(`no kind ${JSON.stringify(env.kind)} is registered for version ${JSON.stringify(env.apiVersion)} in scheme of apiserver-sim`);
  const object = decodeMessage(kubeRoot().lookupType(messageName), env.raw, env.kind, false);
  return { apiVersion: env.apiVersion, kind: env.kind, object: { apiVersion: env.apiVersion, kind: env.kind, ...object } };
}

/** Wire type each protobuf scalar type travels with. */
function wireTypeOf(type: string): number {
  switch (type) {
    case 'double': case 'fixed64': case 'sfixed64': return 1;
    case 'float': case 'fixed32': case 'sfixed32': return 5;
    case 'string': case 'bytes': return 2;
    default: return 0;
  }
}

function toNumber(v: number | protobuf.Long): number {
  return typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(v.unsigned);
}

function readScalar(reader: protobuf.Reader, type: string): unknown {
  switch (type) {
    case 'string': return reader.string();
    case 'bytes': return Buffer.from(reader.bytes()).toString('base64');
    case 'bool': return reader.bool();
    case 'int32': return reader.int32();
    case 'uint32': return reader.uint32();
    case 'int64': return toNumber(reader.int64());
    case 'uint64': return toNumber(reader.uint64());
    case 'double': return reader.double();
    case 'float': return reader.float();
    default: throw new ProtobufDecodeError(`unsupported scalar type ${type}`);
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** Messages with a JSON form of their own (their MarshalJSON in apimachinery). */
function specialValue(type: protobuf.Type, value: Record<string, unknown>): { value: unknown } | undefined {
  switch (type.fullName.slice(1)) {
    case `${META}.Time`: {
      const seconds = Number(value.seconds ?? 0);
      if (seconds === 0 && Number(value.nanos ?? 0) === 0) return { value: undefined };
      // metav1.Time marshals at second precision.
      return { value: new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    }
    case `${META}.MicroTime`: {
      const seconds = Number(value.seconds ?? 0);
      const nanos = Number(value.nanos ?? 0);
      if (seconds === 0 && nanos === 0) return { value: undefined };
      const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
      return { value: new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`) };
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return { value: value.string ?? '0' };
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return { value: Number(value.type ?? 0) === 1 ? (value.strVal ?? '') : (value.intVal ?? 0) };
    case `${META}.FieldsV1`: {
      const raw = value.Raw === undefined ? '' : Buffer.from(String(value.Raw), 'base64').toString('utf8');
      try {
        return { value: raw === '' ? {} : JSON.parse(raw) as unknown };
      } catch (err) {
        throw new ProtobufDecodeError(`FieldsV1: ${(err as Error).message}`);
      }
    }
    default:
      return undefined;
  }
}

/**
 * Walk one message's bytes field by field. `keepZero` keeps zero scalars (the envelope, whose fields are
 * read here, not omitted). Every error names the field path.
 */
function decodeMessage(type: protobuf.Type, bytes: Uint8Array, at: string, keepZero: boolean): Record<string, unknown> {
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, unknown> = {};
  const goType = type.name;
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const id = tag >>> 3;
      const wire = tag & 7;
      const field = type.fieldsById[id];
      if (!field) {
        throw new ProtobufDecodeError(`${at}: field number ${id} (wire type ${wire}) is not a field of ${type.fullName.slice(1)} known to apiserver-sim`);
      }
      const where = `${at}.${field.name}`;
      if (field instanceof protobuf.MapField) {
        if (wire !== 2) throw new ProtobufDecodeError(`${where}: wrong wire type ${wire} for a map entry`);
        const entry = readMapEntry(reader.bytes(), field, where);
        const map = (out[field.name] ??= {}) as Record<string, unknown>;
        map[entry.key] = entry.value;
        continue;
      }
      let value: unknown;
      if (field.resolvedType instanceof protobuf.Type) {
        if (wire !== 2) throw new ProtobufDecodeError(`${where}: wrong wire type ${wire} for a message`);
        const inner = decodeMessage(field.resolvedType, reader.bytes(), where, false);
        const special = specialValue(field.resolvedType, inner);
        value = special ? special.value : inner;
      } else if (field.resolvedType) {
        throw new ProtobufDecodeError(`${where}: enum fields are not used by Kubernetes types`);
      } else if (field.repeated && wire === 2 && wireTypeOf(field.type) !== 2) {
        // A packed repeated scalar.
        const end = reader.uint32() + reader.pos;
        const list = (out[field.name] ??= []) as unknown[];
        while (reader.pos < end) list.push(readScalar(reader, field.type));
        continue;
      } else {
        if (wire !== wireTypeOf(field.type)) throw new ProtobufDecodeError(`${where}: wrong wire type ${wire} for ${field.type}`);
        value = readScalar(reader, field.type);
        if (!field.repeated && !keepZero && isZero(value) && !POINTER_SCALAR_FIELDS.has(`${goType}.${field.name}`)) continue;
      }
      if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
      else if (value !== undefined) out[field.name] = value;
    }
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw err;
    // protobufjs reader errors: "index out of range" on truncated input and the like.
    throw new ProtobufDecodeError(`${at}: ${(err as Error).message}`);
  }
  return out;
}

function readMapEntry(bytes: Uint8Array, field: protobuf.MapField, at: string): { key: string; value: unknown } {
  const reader = protobuf.Reader.create(bytes);
  let key = '';
  let value: unknown;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    if (id === 1 && wire === 2 && field.keyType === 'string') key = reader.string();
    else if (id === 2 && field.resolvedType instanceof protobuf.Type && wire === 2) {
      const inner = decodeMessage(field.resolvedType, reader.bytes(), `${at}[${key}]`, false);
      const special = specialValue(field.resolvedType, inner);
      value = special ? special.value : inner;
    } else if (id === 2 && !field.resolvedType && wire === wireTypeOf(field.type)) value = readScalar(reader, field.type);
    else throw new ProtobufDecodeError(`${at}: field number ${id} (wire type ${wire}) is not part of a map entry`);
  }
  if (value === undefined) {
    value = field.resolvedType instanceof protobuf.Type ? (specialValue(field.resolvedType, {})?.value ?? {}) : (field.type === 'string' ? '' : 0);
  }
  return { key, value };
}
