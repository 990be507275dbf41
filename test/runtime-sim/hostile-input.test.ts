import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { loadRuntimeConfigFile, RuntimeConfigError } from '../../runtime-sim/src/config/runtime-config-file';
import { parseRuntimeModel, RuntimeModelError } from '../../runtime-sim/src/model/load-runtime-model';
import type { Persona } from '../../runtime-sim/src/state/persona';
import { describeCorpus } from '../helpers/hostile-corpus';

const dir = mkdtempSync(join(tmpdir(), 'hostile-runtime-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The persona's own config file (crio.conf / containerd config.toml), read from a file as --config does.
describeCorpus('runtime-config-files.yaml', (testCase) => {
  const persona = testCase.with?.persona as Persona;
  const file = join(dir, persona === 'crio' ? 'crio.conf' : 'config.toml');
  writeFileSync(file, testCase.input);
  try {
    loadRuntimeConfigFile(file, persona);
    return undefined;
  } catch (err) {
    if (err instanceof RuntimeConfigError) return err.message.split(dir).join('<dir>');
    throw err;
  }
});

// Runtime models (--model FILE).
describeCorpus('runtime-models.yaml', (testCase) => {
  try {
    parseRuntimeModel(testCase.input, 'model.yaml');
    return undefined;
  } catch (err) {
    if (err instanceof RuntimeModelError) return err.message;
    throw err;
  }
});
