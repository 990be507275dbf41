/** A sorted set of latin1 keys with binary-search insertion and range scans (the role of mvcc's treeIndex). */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  delete(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  /** Keys k with start ≤ k < end (end '' = unbounded), in order. */
  *between(start: string, end: string): Generator<string> {
    for (let i = this.lowerBound(start); i < this.keys.length; i++) {
      const key = this.keys[i];
      if (end !== '' && key >= end) return;
      yield key;
    }
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
