/**
 * Single-use tokens for streaming requests, as the CRI stream server both runtimes embed keeps them
 * (k8s.io/kubelet pkg/cri/streaming/request_cache.go; containerd's copy pkg/cri/streaming): Exec,
 * Attach and PortForward store the request under a random URL-safe token; the HTTP handler consumes
 * it exactly once. Expired entries are collected lazily on insert (no timer); a full cache refuses
 * new requests instead of evicting live ones.
 */
import { randomBytes } from 'node:crypto';
import { CriError, GRPC_STATUS } from '../state/cri-error';

/** request_cache.go constants. */
export const REQUEST_CACHE = {
  /** cacheTTL: a token is valid for one minute after it was issued. */
  TTL_MS: 60_000,
  /** maxInFlight: issued-but-unconsumed tokens allowed at once. */
  MAX_IN_FLIGHT: 1000,
  /** tokenLen: characters of the base64url token (6 random bytes). */
  TOKEN_LENGTH: 8,
  /** maxTries of uniqueToken before giving up. */
  MAX_TOKEN_TRIES: 10,
} as const;

/** errors.go NewErrorTooManyInFlight: gRPC RESOURCE_EXHAUSTED with this text. */
export const TOO_MANY_IN_FLIGHT_MESSAGE = 'maximum number of in-flight requests exceeded';

export interface RequestCacheOptions {
  /** Milliseconds since the epoch. Default Date.now. */
  readonly nowMs?: () => number;
  /** Source of random bytes. Default crypto.randomBytes. */
  readonly randomBytes?: (size: number) => Buffer;
  readonly ttlMs?: number;
  readonly maxInFlight?: number;
}

interface Entry<T> {
  readonly token: string;
  readonly request: T;
  readonly expiresAtMs: number;
}

export class RequestCache<T> {
  private readonly nowMs: () => number;
  private readonly random: (size: number) => Buffer;
  private readonly ttlMs: number;
  private readonly maxInFlight: number;
  /** Insertion order is age order, so the oldest entry is always first (Map keeps insertion order). */
  private readonly entries = new Map<string, Entry<T>>();

  constructor(options: RequestCacheOptions = {}) {
    this.nowMs = options.nowMs ?? Date.now;
    this.random = options.randomBytes ?? randomBytes;
    this.ttlMs = options.ttlMs ?? REQUEST_CACHE.TTL_MS;
    this.maxInFlight = options.maxInFlight ?? REQUEST_CACHE.MAX_IN_FLIGHT;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stores `request` and returns its token; throws CriError RESOURCE_EXHAUSTED when full. */
  insert(request: T): string {
    this.collectExpired();
    if (this.entries.size >= this.maxInFlight) {
      throw new CriError(GRPC_STATUS.RESOURCE_EXHAUSTED, TOO_MANY_IN_FLIGHT_MESSAGE);
    }
    const token = this.uniqueToken();
    this.entries.set(token, { token, request, expiresAtMs: this.nowMs() + this.ttlMs });
    return token;
  }

  /** Removes the token and returns its request, or undefined if unknown, already used or expired. */
  consume(token: string): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    // Go's time.After: an entry is still valid at exactly its expiry instant.
    return this.nowMs() > entry.expiresAtMs ? undefined : entry.request;
  }

  /** Drops every entry (server shutdown). */
  clear(): void {
    this.entries.clear();
  }

  private collectExpired(): void {
    const now = this.nowMs();
    for (const entry of this.entries.values()) {
      if (!(now > entry.expiresAtMs)) return;
      this.entries.delete(entry.token);
    }
  }

  private uniqueToken(): string {
    const rawBytes = Math.ceil((REQUEST_CACHE.TOKEN_LENGTH * 6) / 8);
    for (let i = 0; i < REQUEST_CACHE.MAX_TOKEN_TRIES; i++) {
      const token = this.random(rawBytes).toString('base64url').slice(0, REQUEST_CACHE.TOKEN_LENGTH);
      if (!this.entries.has(token)) return token;
    }
    throw new CriError(GRPC_STATUS.UNKNOWN, 'failed to generate unique token');
  }
}
