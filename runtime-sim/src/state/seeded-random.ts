/**
 * Deterministic randomness for ids and simulated values. Same seed, same sequence, so a test
 * (or a replayed demo) sees the same sandbox and container ids every run.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting RNG), seeded through splitmix32.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`SeededRandom: seed must be a finite number, got ${seed}`);
    }
    let s = Math.trunc(seed) >>> 0;
    const splitmix32 = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    // Discard the first outputs so near-identical seeds diverge.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t >>> 0;
  }

  /** The generator's state, to continue the same sequence later (--state-dir). */
  exportState(): [number, number, number, number] {
    // Normalised to unsigned: the xor step can leave a field as a negative int32.
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Continues from a state exportState() returned. */
  importState(state: readonly [number, number, number, number]): void {
    [this.a, this.b, this.c, this.d] = state.map((n) => n >>> 0) as [number, number, number, number];
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  nextInt(min: number, max: number): number {
    if (max < min) throw new RangeError(`SeededRandom.nextInt: max ${max} < min ${min}`);
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  /** `length` lowercase hex characters. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      out += this.nextUint32().toString(16).padStart(8, '0');
    }
    return out.slice(0, length);
  }
}

/**
 * A 64-character lowercase hex id, the shape both runtimes use for sandbox and container ids
 * (CRI-O: stringid.GenerateNonCryptoID; containerd: internal/cri/util GenerateID).
 * Like the runtimes' generators, an all-digit id is re-drawn so ids never parse as numbers.
 */
export function generateRuntimeId(random: SeededRandom): string {
  for (;;) {
    const id = random.hex(64);
    if (/[a-f]/.test(id.slice(0, 12))) return id;
  }
}
