/**
 * One copy of each repeated string (span names, services, pods, nodes): JSON.parse makes a new string for
 * every occurrence, and per-trace state that keeps them would otherwise hold one copy per trace.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();

  intern(value: string): string;
  intern(value: string | undefined): string | undefined;
  intern(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const known = this.pool.get(value);
    if (known !== undefined) return known;
    this.pool.set(value, value);
    return value;
  }
}
