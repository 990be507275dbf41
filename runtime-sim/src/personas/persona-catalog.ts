/**
 * Finds and loads persona version files. A new persona version is one YAML file in
 * runtime-sim/personas/ named `<persona>-<major.minor>.yaml`; nothing else needs registering.
 * The directory is found by walking up from this compiled file, as cri-proto/src/load-cri.ts finds the
 * proto, so it works from the source tree and from any --outDir at the repo root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Persona } from '../state/persona';
import { parsePersonaVersionSpec, PersonaSpecError, type PersonaVersionSpec } from './persona-version-spec';

/** Versions played when --persona-version is not given. */
export const DEFAULT_PERSONA_VERSION: Readonly<Record<Persona, string>> = {
  crio: '1.33',
  containerd: '2.1',
};

const PERSONAS_RELATIVE = path.join('runtime-sim', 'personas');
/** Overrides the directory (packaging escape hatch, and tests of broken files). */
export const PERSONAS_DIR_ENV = 'RUNTIME_SIM_PERSONAS_DIR';
const FILE_NAME = /^(crio|containerd)-(\d+\.\d+)\.yaml$/;

export class UnknownPersonaVersionError extends Error {
  constructor(
    readonly persona: Persona,
    readonly version: string,
    readonly supported: readonly string[],
  ) {
    super(`unsupported version ${JSON.stringify(version)} for persona ${persona}; supported: ${supported.join(', ')}`);
  }
}

/** Absolute path of runtime-sim/personas, searched upwards from `startDir`. */
export function resolvePersonasDir(startDir: string = __dirname): string {
  const fromEnv = process.env[PERSONAS_DIR_ENV];
  if (fromEnv) return path.resolve(fromEnv);
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, PERSONAS_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find ${PERSONAS_RELATIVE} in ${startDir} or any parent directory`);
}

/** The versions with a file for `persona`, sorted newest first. */
export function supportedPersonaVersions(persona: Persona, dir: string = resolvePersonasDir()): string[] {
  const versions: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = FILE_NAME.exec(name);
    if (m && m[1] === persona) versions.push(m[2]);
  }
  const key = (v: string): number[] => v.split('.').map(Number);
  return versions.sort((a, b) => {
    const [a1, a2] = key(a);
    const [b1, b2] = key(b);
    return b1 - a1 || b2 - a2;
  });
}

/**
 * Loads `<persona>-<version>.yaml` (default version per DEFAULT_PERSONA_VERSION). An unknown version
 * throws UnknownPersonaVersionError listing the supported ones; a malformed file throws PersonaSpecError
 * naming the file and the field.
 */
export function loadPersonaVersion(persona: Persona, version?: string, dir: string = resolvePersonasDir()): PersonaVersionSpec {
  const wanted = version ?? DEFAULT_PERSONA_VERSION[persona];
  const supported = supportedPersonaVersions(persona, dir);
  if (!supported.includes(wanted)) throw new UnknownPersonaVersionError(persona, wanted, supported);
  const file = path.join(dir, `${persona}-${wanted}.yaml`);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PersonaSpecError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const spec = parsePersonaVersionSpec(doc, file);
  if (spec.persona !== persona || spec.version !== wanted) {
    throw new PersonaSpecError(`${file}: persona/version say ${spec.persona} ${spec.version}, but the file name says ${persona} ${wanted}`);
  }
  return spec;
}
