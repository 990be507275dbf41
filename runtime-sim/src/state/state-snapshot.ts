/**
 * The persisted form of the simulated runtime (--state-dir): every sandbox, container and image
 * record with the allocators (id generator state, creation sequence, IP cursor), so a restarted
 * runtime-sim continues as CRI-O (containers/storage + conmon state) and containerd (bolt metadata +
 * shims) do across a daemon restart: the same ids, names, states and timestamps, and processes that
 * were running keep running. Name reservations, id indexes and IPs in use are derived from the
 * records on load, as the runtimes rebuild them.
 *
 * Encoding: JSON; int64 nanosecond values (bigint in memory) as {"$bigint": "<decimal>"} so nothing
 * is rounded. parseStateSnapshot() validates shape and consistency and names the JSON path of the
 * first problem; it never repairs or drops records.
 */

export const STATE_SNAPSHOT_KIND = 'runtime-sim-state';
/** Bump when a record field changes meaning; older or newer files are refused, not guessed at. */
export const STATE_SNAPSHOT_VERSION = 1;

export type SnapshotRecord = Readonly<Record<string, unknown>>;

export interface RuntimeStateSnapshot {
  readonly kind: typeof STATE_SNAPSHOT_KIND;
  readonly version: typeof STATE_SNAPSHOT_VERSION;
  readonly persona: string;
  readonly seed: number;
  /** SeededRandom generator state. */
  readonly random: readonly [number, number, number, number];
  readonly seq: number;
  readonly ipCursor: number;
  readonly lastNowNs: bigint;
  readonly sandboxes: readonly SnapshotRecord[];
  readonly containers: readonly SnapshotRecord[];
  readonly images: readonly SnapshotRecord[];
}

export class StateSnapshotError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'StateSnapshotError';
  }
}

// ---- bigint-preserving JSON -------------------------------------------------------------------

const BIGINT_TAG = '$bigint';

export function encodeSnapshot(snapshot: RuntimeStateSnapshot): string {
  return `${JSON.stringify(snapshot, (_key, value: unknown) => (typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value), 1)}\n`;
}

/** Parses the text; a syntax error becomes a StateSnapshotError at the root. */
export function decodeSnapshotText(text: string): unknown {
  try {
    return JSON.parse(text, (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const keys = Object.keys(value);
        const tagged = (value as Record<string, unknown>)[BIGINT_TAG];
        if (keys.length === 1 && typeof tagged === 'string' && /^-?\d+$/.test(tagged)) return BigInt(tagged);
      }
      return value;
    });
  } catch (err) {
    throw new StateSnapshotError('(file)', `is not valid JSON (${(err as Error).message})`);
  }
}

// ---- validation -------------------------------------------------------------------------------

type FieldType = 'string' | 'number' | 'boolean' | 'bigint' | 'bigint?' | 'map' | 'object' | 'object?' | 'array' | 'any';

/** Record fields and their types, as RuntimeState keeps them. */
const SANDBOX_FIELDS: Readonly<Record<string, FieldType>> = {
  id: 'string', reservedName: 'string', metadata: 'object', labels: 'map', annotations: 'map',
  createdAtNs: 'bigint', state: 'string', hostNetwork: 'boolean', ip: 'string', networkTornDown: 'boolean',
  runtimeHandler: 'string', hostname: 'string', logDirectory: 'string', linux: 'any', stopAtNs: 'bigint?', seq: 'number',
};

const CONTAINER_FIELDS: Readonly<Record<string, FieldType>> = {
  id: 'string', podSandboxId: 'string', reservedName: 'string', metadata: 'object', state: 'string',
  createdAtNs: 'bigint', startedAtNs: 'bigint', finishedAtNs: 'bigint', exitCode: 'number', reason: 'string',
  message: 'string', requestedImage: 'string', imageAnnotations: 'map', userSpecifiedImage: 'string',
  imageRuntimeHandler: 'string', imageHex: 'string', imageNameAtCreate: 'string', imageRepoDigestAtCreate: 'string',
  labels: 'map', annotations: 'map', logPath: 'string', mounts: 'array', behaviour: 'object', pendingExit: 'object?', seq: 'number',
};

const IMAGE_FIELDS: Readonly<Record<string, FieldType>> = {
  hex: 'string', repoTags: 'array', repoDigests: 'array', sizeBytes: 'number', inodes: 'number', pinned: 'boolean', lastUsedNs: 'bigint',
};

const SANDBOX_STATES: ReadonlySet<string> = new Set(['SANDBOX_READY', 'SANDBOX_NOTREADY']);
const CONTAINER_STATES: ReadonlySet<string> = new Set(['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED', 'CONTAINER_UNKNOWN']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'bigint':
      return typeof value === 'bigint';
    case 'bigint?':
      return value === null || typeof value === 'bigint';
    case 'map':
      return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
    case 'object':
      return isObject(value);
    case 'object?':
      return value === null || isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

function describe(type: FieldType): string {
  const names: Record<FieldType, string> = {
    string: 'a string', number: 'a finite number', boolean: 'true or false', bigint: 'an int64 ({"$bigint": "<digits>"})',
    'bigint?': 'null or an int64 ({"$bigint": "<digits>"})', map: 'an object of strings', object: 'an object',
    'object?': 'null or an object', array: 'an array', any: 'anything',
  };
  return names[type];
}

function checkRecords(list: unknown, path: string, fields: Readonly<Record<string, FieldType>>): SnapshotRecord[] {
  if (!Array.isArray(list)) throw new StateSnapshotError(path, 'must be an array');
  return list.map((item, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(item)) throw new StateSnapshotError(at, 'must be an object');
    for (const [field, type] of Object.entries(fields)) {
      // 'any' fields may be absent: JSON drops an undefined value (e.g. a sandbox without linux config).
      if (!(field in item)) {
        if (type === 'any') continue;
        throw new StateSnapshotError(`${at}.${field}`, 'is missing');
      }
      if (!checkType(item[field], type)) throw new StateSnapshotError(`${at}.${field}`, `must be ${describe(type)}`);
    }
    return item;
  });
}

function uniqueBy(records: readonly SnapshotRecord[], path: string, key: string): void {
  const seen = new Set<unknown>();
  records.forEach((r, i) => {
    if (seen.has(r[key])) throw new StateSnapshotError(`${path}[${i}].${key}`, `duplicates ${JSON.stringify(r[key])}`);
    seen.add(r[key]);
  });
}

/** Validates a decoded snapshot for `persona`; throws StateSnapshotError naming the first problem. */
export function parseStateSnapshot(value: unknown, persona: string): RuntimeStateSnapshot {
  if (!isObject(value)) throw new StateSnapshotError('(root)', 'must be a JSON object');
  if (value.kind !== STATE_SNAPSHOT_KIND) {
    throw new StateSnapshotError('kind', `is ${JSON.stringify(value.kind)}, expected ${JSON.stringify(STATE_SNAPSHOT_KIND)} (not a runtime-sim state file)`);
  }
  if (value.version !== STATE_SNAPSHOT_VERSION) {
    throw new StateSnapshotError('version', `is ${JSON.stringify(value.version)}; this runtime-sim reads version ${STATE_SNAPSHOT_VERSION} only`);
  }
  if (value.persona !== persona) {
    throw new StateSnapshotError('persona', `is ${JSON.stringify(value.persona)} but runtime-sim runs as ${JSON.stringify(persona)}; start it with --persona ${String(value.persona)} or use another --state-dir`);
  }
  for (const key of ['seed', 'seq', 'ipCursor'] as const) {
    if (!checkType(value[key], 'number')) throw new StateSnapshotError(key, 'must be a finite number');
  }
  const random = value.random;
  if (!Array.isArray(random) || random.length !== 4 || !random.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) {
    throw new StateSnapshotError('random', 'must be four unsigned 32-bit integers');
  }
  if (typeof value.lastNowNs !== 'bigint') throw new StateSnapshotError('lastNowNs', `must be ${describe('bigint')}`);
  const sandboxes = checkRecords(value.sandboxes, 'sandboxes', SANDBOX_FIELDS);
  const containers = checkRecords(value.containers, 'containers', CONTAINER_FIELDS);
  const images = checkRecords(value.images, 'images', IMAGE_FIELDS);
  uniqueBy(sandboxes, 'sandboxes', 'id');
  uniqueBy(sandboxes, 'sandboxes', 'reservedName');
  uniqueBy(containers, 'containers', 'id');
  uniqueBy(containers, 'containers', 'reservedName');
  uniqueBy(images, 'images', 'hex');
  const sandboxIds = new Set(sandboxes.map((s) => s.id));
  sandboxes.forEach((s, i) => {
    if (!SANDBOX_STATES.has(s.state as string)) throw new StateSnapshotError(`sandboxes[${i}].state`, `is not a PodSandboxState: ${JSON.stringify(s.state)}`);
  });
  containers.forEach((c, i) => {
    if (!CONTAINER_STATES.has(c.state as string)) throw new StateSnapshotError(`containers[${i}].state`, `is not a ContainerState: ${JSON.stringify(c.state)}`);
    if (!sandboxIds.has(c.podSandboxId)) {
      throw new StateSnapshotError(`containers[${i}].podSandboxId`, `names sandbox ${JSON.stringify(c.podSandboxId)}, which is not in the file`);
    }
  });
  return value as unknown as RuntimeStateSnapshot;
}
