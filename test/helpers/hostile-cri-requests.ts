/**
 * Hostile CRI requests for the fuzz test (test/e2e/cri-fuzz.test.ts): request bytes for any CRI RPC, built
 * from its protobuf type with random, absurd and hostile values from a seed, or not protobuf at all.
 */
import * as protobuf from 'protobufjs';
import type { CriMethodInfo } from '../../cri-proto/src/cri-methods';
import { CRI_PROTO_PATH } from '../../cri-proto/src/load-cri';

/** Strings are usually short; one in HUGE_ODDS is HUGE_STRING_CHARS long. */
const HUGE_STRING_CHARS = 256 * 1024;
const HUGE_ODDS = 200;
const MAX_DEPTH = 4;

const root = new protobuf.Root().loadSync(CRI_PROTO_PATH, { keepCase: true });

/** A small seeded generator (mulberry32): one per request, from the seed fast-check chose. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Pools {
  /** Ids the runtime gave out (live or removed since); hostile requests reuse and mangle them. */
  ids: string[];
  logDir: string;
}

const NASTY_STRINGS = ['', ' ', '\u0000', '../../../../etc/passwd', '%s%n', '\u202e', 'a'.repeat(64), '🙂', 'null', '-1', 'k8s_POD_x_y_z_0'];

function randomString(rnd: () => number, pools: Pools, fieldName: string): string {
  const roll = rnd();
  if (/(^|_)id$/.test(fieldName) && pools.ids.length > 0 && roll < 0.6) {
    const id = pools.ids[Math.floor(rnd() * pools.ids.length)] as string;
    const mangle = rnd();
    if (mangle < 0.6) return id;
    if (mangle < 0.8) return id.slice(0, 1 + Math.floor(rnd() * id.length));
    return id.toUpperCase();
  }
  if (Math.floor(rnd() * HUGE_ODDS) === 0) return 'x'.repeat(HUGE_STRING_CHARS);
  if (roll < 0.8) return NASTY_STRINGS[Math.floor(rnd() * NASTY_STRINGS.length)] as string;
  return Math.floor(rnd() * 2 ** 32).toString(36);
}

function randomNumber(rnd: () => number, type: string): number | string {
  const extremes: Record<string, Array<number | string>> = {
    int32: [0, -1, 1, 2147483647, -2147483648],
    uint32: [0, 1, 4294967295],
    int64: [0, '-1', '9223372036854775807', '-9223372036854775808', 30],
    uint64: [0, '18446744073709551615', 1],
    double: [0, -1, 1e308, Number.NaN, Number.POSITIVE_INFINITY],
    float: [0, -1, 3.4e38],
  };
  const options = extremes[type] ?? [0, 1, -1];
  // Durations and timeouts stay small when positive, so no call sleeps for long.
  return rnd() < 0.7 ? (options[Math.floor(rnd() * options.length)] as number | string) : Math.floor(rnd() * 5) - 1;
}

/** A plain object for `type`, each field present with probability ½, values hostile. */
function randomMessage(type: protobuf.Type, rnd: () => number, pools: Pools, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (rnd() < 0.5) continue;
    if (field.name === 'log_directory' || field.name === 'log_path') {
      out[field.name] = field.name === 'log_directory' ? pools.logDir : `c${Math.floor(rnd() * 5)}.log`;
      continue;
    }
    const value = (): unknown => randomValue(field, rnd, pools, depth);
    if (field.map) {
      const entries: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) entries[randomString(rnd, pools, 'key')] = value();
      out[field.name] = entries;
    } else if (field.repeated) {
      out[field.name] = Array.from({ length: Math.floor(rnd() * 4) }, value);
    } else {
      out[field.name] = value();
    }
  }
  return out;
}

function randomValue(field: protobuf.Field, rnd: () => number, pools: Pools, depth: number): unknown {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) return depth >= MAX_DEPTH ? {} : randomMessage(resolved, rnd, pools, depth + 1);
  if (resolved instanceof protobuf.Enum) {
    const values = Object.values(resolved.values);
    return rnd() < 0.8 ? values[Math.floor(rnd() * values.length)] : 999;
  }
  switch (field.type) {
    case 'string':
      return randomString(rnd, pools, field.name);
    case 'bytes':
      return Buffer.from(randomString(rnd, pools, field.name));
    case 'bool':
      return rnd() < 0.5;
    default:
      return randomNumber(rnd, field.type);
  }
}

/** The request bytes: a hostile but well-formed message, a truncated one, or noise. */
export function requestBytes(method: CriMethodInfo, seed: number, pools: Pools): Buffer {
  const rnd = random(seed);
  const type = criType(method.requestType);
  const encoded = Buffer.from(type.encode(type.fromObject(randomMessage(type, rnd, pools, 0))).finish());
  const shape = rnd();
  if (shape < 0.85) return encoded;
  if (shape < 0.93) return encoded.subarray(0, Math.floor(rnd() * encoded.length));
  return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
}


/** The protobuf type of a CRI message, by the name cri-methods gives it. */
export function criType(name: string): protobuf.Type {
  return root.lookupType(name.startsWith('runtime.v1.') ? name : `runtime.v1.${name}`);
}
