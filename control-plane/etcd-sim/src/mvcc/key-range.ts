/**
 * etcd's key ranges (api/etcdserverpb/rpc.proto RangeRequest.range_end, server/storage/mvcc/index.go): keys
 * are byte strings compared bytewise; an empty range_end means the single key, range_end "\0" means every
 * key ≥ key, otherwise the half-open interval [key, range_end). Keys are held as latin1 strings, one code
 * unit per byte, so JavaScript string order is byte order.
 */
export interface KeyRange {
  readonly start: string;
  /** undefined: the single key `start`; '' : no upper bound; else exclusive end. */
  readonly end: string | undefined;
}

export function keyString(bytes: Buffer | undefined): string {
  return bytes === undefined ? '' : bytes.toString('latin1');
}

export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

export function keyRangeOf(key: Buffer | undefined, rangeEnd: Buffer | undefined): KeyRange {
  const start = keyString(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) return { start, end: undefined };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { start, end: '' };
  return { start, end: keyString(rangeEnd) };
}

export function isInRange(range: KeyRange, key: string): boolean {
  if (range.end === undefined) return key === range.start;
  if (key < range.start) return false;
  return range.end === '' || key < range.end;
}

/** clientv3.GetPrefixRangeEnd: the prefix with its last byte below 0xff incremented, or "\0" for all keys. */
export function prefixRangeEnd(prefix: string): string {
  const bytes = keyBytes(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] += 1;
      return keyString(end);
    }
  }
  return '\0';
}
