/** Milliseconds with one decimal, e.g. `812.3ms`. */
export function formatMs(ms: number): string {
  return `${ms.toFixed(1)}ms`;
}
