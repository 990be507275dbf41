/**
 * Reads the TAP that `node --test` prints and lists the tests that failed, each under its suites' names and
 * with its YAML block (error, expected/actual, location), for the end of `npm test`'s output.
 *
 * Node's TAP reporter indents each level by four spaces, announces a test with `# Subtest: name` and ends it
 * with `ok N - name` or `not ok N - name`, followed by an indented `---` … `...` block. A suite that fails only
 * because one of its tests did says `failureType: 'subtestsFailed'`; those are left out, their failing test
 * is listed instead.
 */

export interface LaneResult {
  lane: string;
  text: string;
  code: number;
}

export interface TapFailure {
  /** Suite and test names from the top level down. */
  path: string[];
  /** The YAML block's lines, unindented, without the `---` and `...` fences. */
  details: string[];
}

const RESULT = /^( *)(not )?ok \d+ - (.*)$/;
const SUBTEST = /^( *)# Subtest: (.*)$/;
const MAX_DETAIL_LINES = 40;

export function tapFailures(text: string): TapFailure[] {
  const lines = text.split(/\r?\n/);
  const names: string[] = [];
  const failures: TapFailure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const subtest = SUBTEST.exec(lines[i]);
    if (subtest) {
      names.length = subtest[1].length / 4;
      names.push(subtest[2]);
      continue;
    }
    const result = RESULT.exec(lines[i]);
    if (!result) continue;
    const depth = result[1].length / 4;
    const path = [...names.slice(0, depth), result[3]];
    names.length = depth;
    if (!result[2]) continue;
    const details: string[] = [];
    const fence = `${result[1]}  ---`;
    if (lines[i + 1] === fence) {
      for (let j = i + 2; j < lines.length && lines[j] !== `${result[1]}  ...`; j++) details.push(lines[j].slice(result[1].length + 2));
    }
    if (details.some((line) => line.startsWith("failureType: 'subtestsFailed'"))) continue;
    failures.push({ path, details });
  }
  return failures;
}

/** The text printed last by `npm test`: every lane's failures, or that there were none. */
export function failureReport(lanes: LaneResult[]): string {
  const out: string[] = [];
  for (const { lane, text, code } of lanes) {
    const failures = tapFailures(text);
    if (failures.length === 0 && code === 0) continue;
    out.push(`# ${lane}: ${failures.length} failed test(s), exit code ${code}`);
    if (failures.length === 0) out.push('#   no failing test in its report: the node --test process itself failed; its output is above');
    for (const failure of failures) {
      out.push(`#   not ok: ${failure.path.join(' > ')}`);
      const shown = failure.details.slice(0, MAX_DETAIL_LINES);
      for (const line of shown) out.push(`#     ${line}`);
      if (failure.details.length > shown.length) out.push(`#     … ${failure.details.length - shown.length} more line(s), in the report above`);
    }
  }
  return out.length === 0 ? '# every test passed, in both lanes\n' : `# FAILURES\n${out.join('\n')}\n`;
}
