/**
 * Reads and validates a runtime model file (YAML). Structure is checked by the JSON Schema
 * (./runtime-model.schema.json, with ajv); meaning by the checks below (CRI method names from the
 * proto, gRPC code names, Go durations, label selector rules, cross-field bounds). Every problem is
 * reported, one line each, naming the file, the rule (index and name) and the field path:
 *
 *   configs/models/x.yaml: rules[2] "slow-pulls": latency.meanMs: must be >= 0
 *
 * `--model` takes a profile name (configs/models/<name>.yaml) or a path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { imageServiceDefinition, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import { GO_GRPC_CODE_NAMES } from '../../../cri-proto/src/grpc-status';
import { GRPC_STATUS, type GrpcStatusCode } from '../state/cri-error';
import { buildContainerBehaviour, type ContainerBehaviour } from './container-behaviour';
import { parseGoDurationNs } from './go-duration';
import type { LatencyDistribution } from './latency-distribution';
import { compileImagePattern } from './rule-matcher';
import type {
  ErrorEffect,
  LabelSelector,
  ModelRule,
  RuleMatch,
  RuntimeModel,
  SelectorOperator,
} from './runtime-model-types';
import schema from './runtime-model.schema.json';

/** Profiles shipped in configs/models (`--model fast` etc.). */
export const MODEL_PROFILES = ['fast', 'realistic', 'chaos'] as const;
export type ModelProfile = (typeof MODEL_PROFILES)[number];

/** Where the profiles live, relative to the repository root. */
export const MODELS_DIR_RELATIVE = path.join('configs', 'models');

/** CRI v1 services (api.proto); a rule may name a method short or as `<service>/<method>`. */
export const CRI_SERVICES = {
  RUNTIME: 'runtime.v1.RuntimeService',
  IMAGE: 'runtime.v1.ImageService',
} as const;

export class RuntimeModelError extends Error {
  /** One line per problem, each starting with the file. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `invalid runtime model:\n  ${problems.join('\n  ')}`);
    this.name = 'RuntimeModelError';
    this.problems = problems;
  }
}

// ---- locating the file ------------------------------------------------------------------------

function isProfile(name: string): name is ModelProfile {
  return (MODEL_PROFILES as readonly string[]).includes(name);
}

/** configs/models, found by walking up from here (works from source and from every compiled tree). */
export function findModelsDir(startDir: string = __dirname): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, MODELS_DIR_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Absolute path of a profile name or a file path (relative to `cwd`). */
export function resolveModelPath(nameOrPath: string, cwd: string = process.cwd()): string {
  if (isProfile(nameOrPath)) {
    const dir = findModelsDir();
    if (dir === undefined) {
      throw new RuntimeModelError([`model profile ${nameOrPath}: cannot find ${MODELS_DIR_RELATIVE} above ${__dirname}`]);
    }
    return path.join(dir, `${nameOrPath}.yaml`);
  }
  return path.resolve(cwd, nameOrPath);
}

/** How a file is named in messages: relative to `cwd` when inside it, else absolute. */
function displayPath(absolute: string, cwd: string): string {
  const rel = path.relative(cwd, absolute);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absolute;
}

/** Reads, parses and validates `--model <name|path>`. Throws RuntimeModelError. */
export function loadRuntimeModel(nameOrPath: string, cwd: string = process.cwd()): RuntimeModel {
  const absolute = resolveModelPath(nameOrPath, cwd);
  const source = displayPath(absolute, cwd);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? `no such file; give a path or one of the profiles ${MODEL_PROFILES.join(', ')}` : (err as Error).message;
    throw new RuntimeModelError([`${source}: ${hint}`]);
  }
  return parseRuntimeModel(text, source);
}

// ---- structure (JSON Schema) ------------------------------------------------------------------

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  // verbose: errors carry their schema, so an unknown field can list the allowed ones.
  compiled ??= new Ajv({ allErrors: true, discriminator: true, verbose: true }).compile(schema);
  return compiled;
}

type Segment = string | number;

function pathSegments(instancePath: string): Segment[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function joinField(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** `rules[2] "slow-pulls"` for a path inside a rule (the name read from the raw data when it is a string). */
function ruleLabel(index: number, raw: unknown): string {
  const rules = (raw as { rules?: unknown } | null)?.rules;
  const name = Array.isArray(rules) ? (rules[index] as { name?: unknown } | null)?.name : undefined;
  return typeof name === 'string' ? `rules[${index}] ${JSON.stringify(name)}` : `rules[${index}]`;
}

function locate(source: string, raw: unknown, segments: readonly Segment[]): string {
  if (segments[0] === 'rules' && typeof segments[1] === 'number') {
    const field = joinField(segments.slice(2));
    return `${source}: ${ruleLabel(segments[1], raw)}` + (field === '' ? '' : `: ${field}`);
  }
  const field = joinField(segments);
  return field === '' ? source : `${source}: ${field}`;
}

function describeSchemaError(err: ErrorObject): { extra?: string; problem: string } {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        extra: String(params.additionalProperty),
        problem: `unknown field` + (allowed.length > 0 ? `; allowed fields: ${allowed.join(', ')}` : ''),
      };
    }
    case 'required':
      return { extra: String(params.missingProperty), problem: 'required field is missing' };
    case 'enum':
      return { problem: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { problem: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'minItems':
      return { problem: 'must not be empty' };
    case 'minLength':
      return { problem: 'must not be empty' };
    case 'minProperties':
      return { problem: 'must set at least one field' };
    case 'type':
      return { problem: `must be ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}` };
    default:
      return { problem: err.message ?? err.keyword };
  }
}

function schemaProblems(source: string, raw: unknown, errors: readonly ErrorObject[]): string[] {
  const lines: string[] = [];
  for (const err of errors) {
    // The discriminator only repeats what the enum on `distribution` already says.
    if (err.keyword === 'discriminator') continue;
    const { extra, problem } = describeSchemaError(err);
    const segments = pathSegments(err.instancePath);
    if (extra !== undefined) segments.push(extra);
    const line = `${locate(source, raw, segments)}: ${problem}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

// ---- meaning (checks in code) -----------------------------------------------------------------

/** Short method name -> service, from the proto (every RuntimeService and ImageService RPC). */
let criMethods: ReadonlyMap<string, string> | undefined;

export function criMethodServices(): ReadonlyMap<string, string> {
  if (criMethods === undefined) {
    const map = new Map<string, string>();
    for (const name of Object.keys(runtimeServiceDefinition())) map.set(name, CRI_SERVICES.RUNTIME);
    for (const name of Object.keys(imageServiceDefinition())) map.set(name, CRI_SERVICES.IMAGE);
    criMethods = map;
  }
  return criMethods;
}

/** Raw shapes after the schema check (types as the schema guarantees them). */
interface RawSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: SelectorOperator; values?: string[] }[];
}
interface RawRule {
  name: string;
  match?: {
    methods?: string[];
    namespaces?: string[];
    podSelector?: RawSelector;
    podAnnotationSelector?: RawSelector;
    images?: string[];
    containerNames?: string[];
  };
  latency?: LatencyDistribution;
  imagePull?: { bandwidthBytesPerSecond: number };
  error?: { probability: number; code: string; message?: string };
  container?: { exitAfter?: string; exitCode?: number; oomKilled?: boolean; stopGrace?: string; stopExitCode?: number };
  hang?: { probability: number };
}

const DURATION_HINT = 'a Go duration such as "500ms", "5s" or "1m30s"';

class RuleChecker {
  readonly problems: string[] = [];

  constructor(
    private readonly source: string,
    private readonly index: number,
    private readonly name: string,
  ) {}

  report(field: string, problem: string): void {
    this.problems.push(`${this.source}: rules[${this.index}] ${JSON.stringify(this.name)}: ${field}: ${problem}`);
  }

  methods(list: readonly string[] | undefined): ReadonlySet<string> | undefined {
    if (list === undefined) return undefined;
    const known = criMethodServices();
    const out = new Set<string>();
    list.forEach((written, i) => {
      const field = `match.methods[${i}]`;
      const full = written.replace(/^\//, '');
      const slash = full.lastIndexOf('/');
      const service = slash < 0 ? undefined : full.slice(0, slash);
      const method = slash < 0 ? full : full.slice(slash + 1);
      const owner = known.get(method);
      if (owner === undefined) {
        this.report(
          field,
          `unknown CRI method ${JSON.stringify(written)}; use an RPC of ${CRI_SERVICES.RUNTIME} or ${CRI_SERVICES.IMAGE}, e.g. RunPodSandbox or ${CRI_SERVICES.IMAGE}/PullImage`,
        );
      } else if (service !== undefined && service !== owner) {
        this.report(field, `${method} is an RPC of ${owner}, not ${service}`);
      } else {
        out.add(method);
      }
    });
    return out;
  }

  selector(field: string, raw: RawSelector | undefined): LabelSelector | undefined {
    if (raw === undefined) return undefined;
    const matchExpressions = (raw.matchExpressions ?? []).map((req, i) => {
      const values = req.values ?? [];
      const at = `${field}.matchExpressions[${i}].values`;
      // Same rules as apimachinery's ValidateLabelSelectorRequirement.
      if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
        this.report(at, `must be given (non-empty) when operator is ${req.operator}`);
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
        this.report(at, `must be empty when operator is ${req.operator}`);
      }
      return { key: req.key, operator: req.operator, values: Object.freeze([...values]) };
    });
    return { matchLabels: Object.freeze({ ...(raw.matchLabels ?? {}) }), matchExpressions };
  }

  images(list: readonly string[] | undefined): RuleMatch['images'] {
    if (list === undefined) return undefined;
    return list.map((text, i) => {
      const pattern = compileImagePattern(text);
      if (pattern.glob === undefined && pattern.normalized === undefined) {
        this.report(
          `match.images[${i}]`,
          `${JSON.stringify(text)} is not an image reference; write one such as nginx:1.27, or a glob with * such as docker.io/library/*`,
        );
      }
      return pattern;
    });
  }

  latency(d: LatencyDistribution | undefined): void {
    if (d === undefined || d.distribution === 'fixed') return;
    if (d.minMs !== undefined && d.maxMs !== undefined && d.maxMs < d.minMs) {
      this.report('latency.maxMs', `must be >= latency.minMs (${d.minMs})`);
    }
  }

  error(raw: RawRule['error']): ErrorEffect | undefined {
    if (raw === undefined) return undefined;
    const codes = GRPC_STATUS as Readonly<Record<string, GrpcStatusCode>>;
    const code = Object.prototype.hasOwnProperty.call(codes, raw.code) ? codes[raw.code] : undefined;
    if (code === undefined || code === GRPC_STATUS.OK) {
      const goName = Object.entries(GO_GRPC_CODE_NAMES).find(([, name]) => name === raw.code);
      const canonical = goName === undefined ? undefined : Object.keys(codes).find((k) => codes[k] === Number(goName[0]));
      const hint =
        code === GRPC_STATUS.OK
          ? 'OK is not an error'
          : canonical !== undefined
            ? `write the canonical name ${canonical}`
            : `use a gRPC status name such as UNAVAILABLE, DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED`;
      this.report('error.code', `unknown gRPC code ${JSON.stringify(raw.code)}; ${hint}`);
      return undefined;
    }
    return {
      probability: raw.probability,
      code,
      codeName: raw.code,
      message: raw.message ?? `injected by runtime-sim model rule ${JSON.stringify(this.name)}`,
    };
  }

  container(raw: RawRule['container']): ContainerBehaviour | undefined {
    if (raw === undefined) return undefined;
    let exitAfterNs: bigint | undefined;
    if (raw.exitAfter !== undefined) {
      exitAfterNs = parseGoDurationNs(raw.exitAfter);
      if (exitAfterNs === undefined) this.report('container.exitAfter', `${JSON.stringify(raw.exitAfter)} is not ${DURATION_HINT}`);
    }
    let stopGraceNs: bigint | null | undefined;
    if (raw.stopGrace !== undefined) {
      stopGraceNs = raw.stopGrace.trim() === 'never' ? null : parseGoDurationNs(raw.stopGrace);
      if (stopGraceNs === undefined) {
        this.report('container.stopGrace', `${JSON.stringify(raw.stopGrace)} is not ${DURATION_HINT}, or "never"`);
      }
    }
    return buildContainerBehaviour({
      exitAfterNs,
      exitCode: raw.exitCode,
      oomKilled: raw.oomKilled,
      stopGraceNs,
      stopExitCode: raw.stopExitCode,
    });
  }

  /** An effect that only one RPC has must not sit in a rule whose methods exclude that RPC. */
  effectMethod(effect: string, rpc: string, methods: ReadonlySet<string> | undefined, given: boolean): void {
    if (given && methods !== undefined && methods.size > 0 && !methods.has(rpc)) {
      this.report(effect, `applies only to ${rpc} calls; add ${rpc} to match.methods or move it to a rule of its own`);
    }
  }
}

function toSet(list: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return list === undefined ? undefined : new Set(list);
}

function checkRules(source: string, rawRules: readonly RawRule[]): { rules: ModelRule[]; problems: string[] } {
  const problems: string[] = [];
  const rules: ModelRule[] = [];
  const firstIndexByName = new Map<string, number>();
  rawRules.forEach((raw, index) => {
    const check = new RuleChecker(source, index, raw.name);
    const earlier = firstIndexByName.get(raw.name);
    if (earlier !== undefined) check.report('name', `duplicate rule name (also rules[${earlier}]); names identify rules in messages and random streams`);
    else firstIndexByName.set(raw.name, index);

    const m = raw.match ?? {};
    const methods = check.methods(m.methods);
    const match: RuleMatch = {
      methods,
      namespaces: toSet(m.namespaces),
      podSelector: check.selector('match.podSelector', m.podSelector),
      podAnnotationSelector: check.selector('match.podAnnotationSelector', m.podAnnotationSelector),
      images: check.images(m.images),
      containerNames: toSet(m.containerNames),
    };
    check.latency(raw.latency);
    const error = check.error(raw.error);
    const container = check.container(raw.container);
    check.effectMethod('imagePull', 'PullImage', methods, raw.imagePull !== undefined);
    check.effectMethod('container', 'CreateContainer', methods, raw.container !== undefined);
    if (raw.latency === undefined && raw.imagePull === undefined && raw.error === undefined && raw.container === undefined && raw.hang === undefined) {
      check.report('name', 'the rule has no effect; give it latency, imagePull, error, container or hang');
    }
    problems.push(...check.problems);
    rules.push(
      Object.freeze({
        index,
        name: raw.name,
        match: Object.freeze(match),
        latency: raw.latency === undefined ? undefined : Object.freeze({ ...raw.latency }),
        imagePull: raw.imagePull === undefined ? undefined : Object.freeze({ ...raw.imagePull }),
        error,
        container,
        hang: raw.hang === undefined ? undefined : Object.freeze({ probability: raw.hang.probability }),
      }),
    );
  });
  return { rules, problems };
}

/** Parses and validates model text; `source` names the file in messages. Throws RuntimeModelError. */
export function parseRuntimeModel(text: string, source: string): RuntimeModel {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RuntimeModelError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:$/, '');
        return `${source}:` + (pos === undefined ? '' : ` line ${pos.line}, column ${pos.col}:`) + ` ${message}`;
      }),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    throw new RuntimeModelError([`${source}: the file is empty; expected apiVersion, kind and rules`]);
  }
  const validate = schemaValidator();
  if (!validate(raw)) throw new RuntimeModelError(schemaProblems(source, raw, validate.errors ?? []));
  const { rules, problems } = checkRules(source, (raw as { rules: RawRule[] }).rules);
  if (problems.length > 0) throw new RuntimeModelError(problems);
  return Object.freeze({ source, rules: Object.freeze(rules) });
}
