/**
 * Reuse of identical CRI list messages, so a steady node does not encode (runtime-sim) or decode (kubelet-sim)
 * the same ListPodSandbox / ListContainers answer every second. The kubelet's PLEG asks both lists every
 * relist (pkg/kubelet/pleg/generic.go@v1.33.0, Relist → GetPods), and they only change when the runtime's
 * state does.
 *
 * Every reused message is deep-frozen: nobody may change a message that may be handed out again, and a
 * change is a TypeError (all our modules are strict) instead of a wrong answer later. Encoded bytes are
 * memoised only for frozen messages (load-cri.ts), so a message that could still change is always
 * encoded afresh.
 */
import { createHash } from 'node:crypto';

/** Freezes `value` and everything reachable from it (plain objects and arrays; Buffers stay as they are). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/**
 * True when `a` and `b` hold the same message: the same keys in the same order (map fields are written in
 * key order), equal scalars, equal bytes. Only for the plain values messages are made of.
 */
export function sameMessage(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return false;
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameMessage(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i]) return false;
    if (!sameMessage((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** How many distinct questions (e.g. list filters) a MessageReuse remembers the last answer to. */
export const MESSAGE_REUSE_MAX_KEYS = 16;

/**
 * The last answer to each question `key`: `reuse(key, fresh)` gives back the previous (frozen) answer when
 * `fresh` holds the same message, so its encoded bytes are reused; otherwise it freezes and keeps `fresh`.
 * Bounded: the oldest question is forgotten first.
 */
export class MessageReuse<T extends object> {
  private readonly last = new Map<string, T>();

  constructor(private readonly maxKeys: number = MESSAGE_REUSE_MAX_KEYS) {}

  reuse(key: string, fresh: T): T {
    const previous = this.last.get(key);
    if (previous !== undefined && sameMessage(previous, fresh)) return previous;
    this.last.delete(key);
    if (this.last.size >= this.maxKeys) this.last.delete(this.last.keys().next().value as string);
    this.last.set(key, deepFreeze(fresh));
    return fresh;
  }
}

/** How long a decoded message no call has read again is kept: stale answers of changed state go after 1–2×. */
export const DECODED_REUSE_GENERATION_MS = 10_000;

/**
 * Decoded messages by their wire bytes (SHA-1, then compared byte for byte), so bytes received again give
 * back the same frozen message without decoding them. Two generations: a message read in neither of the last
 * two windows of `generationMs` is forgotten, so a fleet's live answers stay and changed ones leave.
 */
export class DecodedReuse {
  private current = new Map<string, { readonly bytes: Buffer; readonly message: object }>();
  private previous = new Map<string, { readonly bytes: Buffer; readonly message: object }>();
  private rotatedAtMs: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly generationMs: number = DECODED_REUSE_GENERATION_MS,
  ) {
    this.rotatedAtMs = now();
  }

  decode<T>(bytes: Buffer, decodeFresh: (bytes: Buffer) => T): T {
    const t = this.now();
    if (t - this.rotatedAtMs >= this.generationMs) {
      this.previous = this.current;
      this.current = new Map();
      this.rotatedAtMs = t;
    }
    const key = createHash('sha1').update(bytes).digest('base64');
    const hit = this.current.get(key) ?? this.previous.get(key);
    if (hit !== undefined && hit.bytes.equals(bytes)) {
      this.current.set(key, hit);
      return hit.message as T;
    }
    const message = decodeFresh(bytes);
    if (message !== null && typeof message === 'object') {
      // A copy: grpc-js may hand us a slice of a larger, reused read buffer.
      this.current.set(key, { bytes: Buffer.from(bytes), message: deepFreeze(message) });
    }
    return message;
  }
}
