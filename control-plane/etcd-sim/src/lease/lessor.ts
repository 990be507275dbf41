import { EtcdError } from '../../../etcd-proto/src/etcd-errors';
import type { LeaseAttacher, MvccStore } from '../mvcc/mvcc-store';

/** server/lease/lessor.go@v3.6.14 MaxLeaseTTL (seconds). */
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000;
/** How often expired leases are looked for (lessor.go runLoop checks every 500 ms). */
export const LEASE_CHECK_PERIOD_MS = 500;

interface Lease {
  readonly id: number;
  readonly grantedTtl: number;
  expiresAtMs: number;
  readonly keys: Set<string>;
}

/**
 * The lessor's minimum TTL with etcd's default timing: (3 × election ticks / 2) × heartbeat, rounded up to
 * seconds (server/etcdserver/server.go@v3.6.14 NewServer: 10 ticks × 100 ms ⇒ 1.5 s ⇒ 2 s).
 */
export const DEFAULT_MIN_LEASE_TTL_SECONDS = 2;

/**
 * etcd's lessor (server/lease/lessor.go): leases with a TTL in seconds (raised to the minimum TTL), renewed by keep-alives to their full
 * TTL; an expired or revoked lease deletes its keys in one revision. Ids are chosen by the server when the
 * request has none (etcd uses a random 63-bit id; here a seeded sequence stays within JavaScript's safe
 * integers). The clock is injected; `expire()` is called by the server's timer or by tests.
 */
export class Lessor implements LeaseAttacher {
  private readonly leases = new Map<number, Lease>();
  private nextId: number;

  constructor(
    private readonly store: MvccStore,
    private readonly nowMs: () => number = Date.now,
    private readonly minTtlSeconds = DEFAULT_MIN_LEASE_TTL_SECONDS,
    idSeed = 0x694d_8a3f_12,
  ) {
    this.nextId = idSeed;
    store.setLeaseAttacher(this);
  }

  grant(ttlSeconds: number, requestedId = 0): { id: number; ttl: number } {
    if (ttlSeconds > MAX_LEASE_TTL_SECONDS) throw new EtcdError('leaseTTLTooLarge');
    const id = requestedId !== 0 ? requestedId : this.nextId++;
    if (this.leases.has(id)) throw new EtcdError('leaseExist');
    const ttl = Math.max(ttlSeconds, this.minTtlSeconds);
    this.leases.set(id, { id, grantedTtl: ttl, expiresAtMs: this.nowMs() + ttl * 1000, keys: new Set() });
    return { id, ttl };
  }

  /** Renews the lease to its full TTL; returns the TTL, or throws leaseNotFound. */
  keepAlive(id: number): number {
    const lease = this.leases.get(id);
    if (!lease) throw new EtcdError('leaseNotFound');
    lease.expiresAtMs = this.nowMs() + lease.grantedTtl * 1000;
    return lease.grantedTtl;
  }

  revoke(id: number): void {
    const lease = this.leases.get(id);
    if (!lease) throw new EtcdError('leaseNotFound');
    this.leases.delete(id);
    if (lease.keys.size > 0) this.store.deleteKeys([...lease.keys]);
  }

  timeToLive(id: number): { ttl: number; grantedTtl: number; keys: string[] } {
    const lease = this.leases.get(id);
    if (!lease) return { ttl: -1, grantedTtl: 0, keys: [] };
    return { ttl: Math.max(0, Math.ceil((lease.expiresAtMs - this.nowMs()) / 1000)), grantedTtl: lease.grantedTtl, keys: [...lease.keys] };
  }

  /** Revokes every lease whose time is up; returns how many. */
  expire(): number {
    const now = this.nowMs();
    let n = 0;
    for (const lease of [...this.leases.values()]) {
      if (lease.expiresAtMs <= now) {
        this.revoke(lease.id);
        n++;
      }
    }
    return n;
  }

  exists(id: number): boolean {
    return this.leases.has(id);
  }

  attach(id: number, key: string): void {
    this.leases.get(id)?.keys.add(key);
  }

  detach(id: number, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }
}
