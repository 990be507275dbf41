/**
 * A corpus of invalid inputs kept as fixtures (test/fixtures/hostile-input/*.yaml): each case is an input, the
 * field it gets wrong and the exact message the loader gives. `describeCorpus` turns a file into one test per
 * case asserting the input is refused, the message names the field, and it equals the recorded message. With
 * UPDATE_GOLDEN=1 the messages are recorded instead (review the diff), as for the trace goldens.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const HOSTILE_INPUT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hostile-input');

export interface HostileCase {
  name: string;
  /** The field (or key) the input gets wrong, as the message must name it; "" when the whole file is malformed. */
  field: string;
  /** Extra settings of the case (e.g. the persona a runtime config is read for). */
  with?: Record<string, string>;
  input: string;
  /** What the loader says; every message is reviewed when recorded. */
  message: string;
}

/** What the loader under test says about `input`: its error message, or undefined when it accepted it. */
export type Refusal = (testCase: HostileCase) => string | undefined;

export function loadCorpus(file: string): HostileCase[] {
  const cases = parse(readFileSync(join(HOSTILE_INPUT_DIR, file), 'utf8')) as HostileCase[];
  assert.ok(Array.isArray(cases) && cases.length > 0, `${file} holds no cases`);
  return cases;
}

export function describeCorpus(file: string, refusal: Refusal): void {
  const cases = loadCorpus(file);
  const updating = process.env.UPDATE_GOLDEN === '1';
  describe(`hostile input: ${file}`, () => {
    const names = new Set<string>();
    for (const testCase of cases) {
      it(`refuses ${testCase.name}${testCase.field === '' ? '' : `, naming ${testCase.field}`}`, () => {
        assert.ok(!names.has(testCase.name), `case name ${JSON.stringify(testCase.name)} appears twice in ${file}`);
        names.add(testCase.name);
        const message = refusal(testCase);
        assert.ok(message !== undefined, `accepted: ${JSON.stringify(testCase.input)}`);
        assert.ok(message.includes(testCase.field), `the message does not name ${testCase.field}: ${message}`);
        if (updating) testCase.message = message;
        else assert.equal(message, testCase.message);
      });
    }
    if (updating) after(() => writeFileSync(join(HOSTILE_INPUT_DIR, file), corpusText(file, cases)));
  });
}

/** The fixture file: a header comment, then the cases with their inputs as block literals. */
export function corpusText(file: string, cases: readonly HostileCase[]): string {
  const header = `# Invalid inputs and what is said about them (test/helpers/hostile-corpus.ts); regenerate the messages with\n# UPDATE_GOLDEN=1 on the test that reads ${file}, then review the diff.\n`;
  return header + stringify(cases, { lineWidth: 0, blockQuote: 'literal' });
}
