/** `30s`, `2m`, `1m30s`, `500ms`: the duration forms the demo's --duration accepts. */
export function parseDemoDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length || total <= 0) throw new Error(`${JSON.stringify(text)} is not a duration like 30s, 2m or 1m30s`);
  return total;
}
