/**
 * What a simulated container's process does over time, read from annotations. Behaviour is data:
 * a pod opts into exits, failures and slow shutdowns through its annotations, and the state machine
 * plays them out on the runtime's clock.
 *
 * Where the keys are read, highest precedence first:
 *   1. the container's own annotations (ContainerConfig.annotations) — `sim.cri.io/<key>`;
 *   2. the pod sandbox's annotations (the Pod's metadata.annotations, which the kubelet copies into
 *      PodSandboxConfig.annotations) scoped to one container — `sim.cri.io/<key>.<container-name>`;
 *   3. the pod sandbox's annotations for every container — `sim.cri.io/<key>`.
 * (The kubelet does not copy Pod annotations into ContainerConfig, so 2 and 3 are the keys a Pod
 * manifest can set; 1 serves crictl and direct CRI clients.)
 *
 * Keys:
 *   sim.cri.io/exit-after      Go duration ("500ms", "5s", "1m30s"). The process exits on its own this
 *                              long after StartContainer. Absent: runs until stopped (unless oom).
 *   sim.cri.io/exit-code       integer 0..255, the code of that exit. Default 0, or 137 when oom.
 *   sim.cri.io/oom             "true" | "false". The exit is an OOM kill: reason OOMKilled, code 137
 *                              unless exit-code says otherwise. With no exit-after, it happens at start.
 *   sim.cri.io/stop-grace      Go duration, or "never". How long the process takes to exit after the
 *                              stop signal (SIGTERM). If that is not shorter than StopContainer's timeout,
 *                              the runtime sends SIGKILL when the timeout elapses: exit 137, reason Error.
 *                              "never" = the process ignores SIGTERM. Default "0s".
 *   sim.cri.io/stop-exit-code  integer 0..255, exit code when the process handles SIGTERM in time.
 *                              Default 0 (reason Completed).
 *
 * A runtime model (./runtime-model-types.ts, `container` effect) can give the same behaviour to every
 * container a rule matches. Precedence: a container with at least one `sim.cri.io/*` behaviour key in
 * any of the three places above is played out from its annotations alone; the model is consulted
 * only for containers without such keys. The pod author's explicit annotation is the more specific
 * statement, and mixing fields from two sources would make e.g. "oom without exit-code" ambiguous.
 */
import { CriError, GRPC_STATUS } from '../state/cri-error';
import { parseGoDurationNs } from './go-duration';

/** Annotation keys of the behaviour model (see the file comment). */
export const BEHAVIOUR_ANNOTATION = {
  EXIT_AFTER: 'sim.cri.io/exit-after',
  EXIT_CODE: 'sim.cri.io/exit-code',
  OOM: 'sim.cri.io/oom',
  STOP_GRACE: 'sim.cri.io/stop-grace',
  STOP_EXIT_CODE: 'sim.cri.io/stop-exit-code',
} as const;

export type BehaviourAnnotationKey = (typeof BEHAVIOUR_ANNOTATION)[keyof typeof BEHAVIOUR_ANNOTATION];

/** Exit code of a process killed by SIGKILL (128 + 9), as runc/conmon and containerd-shim report it. */
export const SIGKILL_EXIT_CODE = 137;

export interface ContainerBehaviour {
  /** Time from start to the process's own exit; null = never exits on its own. */
  readonly exitAfterNs: bigint | null;
  /** Exit code of the process's own exit. */
  readonly exitCode: number;
  /** The own exit is an OOM kill. */
  readonly oomKilled: boolean;
  /** Time the process needs to exit after SIGTERM; null = ignores SIGTERM. */
  readonly stopGraceNs: bigint | null;
  /** Exit code when the process exits after SIGTERM within the timeout. */
  readonly stopExitCode: number;
}

export const DEFAULT_CONTAINER_BEHAVIOUR: ContainerBehaviour = Object.freeze({
  exitAfterNs: null,
  exitCode: 0,
  oomKilled: false,
  stopGraceNs: 0n,
  stopExitCode: 0,
});

type Annotations = Readonly<Record<string, string>> | undefined;

interface Found {
  readonly value: string;
  /** Where the value came from, for error messages. */
  readonly source: string;
  readonly key: string;
}

function find(
  key: BehaviourAnnotationKey,
  sandboxAnnotations: Annotations,
  containerAnnotations: Annotations,
  containerName: string,
): Found | undefined {
  const own = containerAnnotations?.[key];
  if (own !== undefined) return { value: own, source: 'container', key };
  const scopedKey = `${key}.${containerName}`;
  const scoped = sandboxAnnotations?.[scopedKey];
  if (scoped !== undefined) return { value: scoped, source: 'pod sandbox', key: scopedKey };
  const shared = sandboxAnnotations?.[key];
  if (shared !== undefined) return { value: shared, source: 'pod sandbox', key };
  return undefined;
}

function invalid(found: Found, expected: string): CriError {
  return new CriError(
    GRPC_STATUS.INVALID_ARGUMENT,
    `invalid ${found.source} annotation ${JSON.stringify(found.key)}: ${JSON.stringify(found.value)} is not ${expected}`,
  );
}

const DURATION_EXPECTED = 'a Go duration such as "500ms", "5s" or "1m30s"';

function parseDuration(found: Found): bigint {
  const ns = parseGoDurationNs(found.value);
  if (ns === undefined) throw invalid(found, DURATION_EXPECTED);
  return ns;
}

function parseExitCode(found: Found): number {
  const text = found.value.trim();
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) {
    throw invalid(found, 'an exit code, an integer from 0 to 255');
  }
  return Number(text);
}

function parseBool(found: Found): boolean {
  const text = found.value.trim();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw invalid(found, '"true" or "false"');
}

/** What a runtime model's `container` rules may match on when a container is created. */
export interface ContainerBehaviourQuery {
  readonly podNamespace: string;
  readonly podName: string;
  readonly podUid: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly containerName: string;
  /** The image as requested and user-specified, plus the local image's tags when it is present. */
  readonly images: readonly string[];
}

/** A runtime model's answer for a container without behaviour annotations; undefined = no rule matched. */
export type ContainerBehaviourSource = (query: ContainerBehaviourQuery) => ContainerBehaviour | undefined;

/** Behaviour fields as given by one source; absent fields take the defaults of the file comment. */
export interface ContainerBehaviourFields {
  readonly exitAfterNs?: bigint;
  readonly exitCode?: number;
  readonly oomKilled?: boolean;
  /** null = ignores SIGTERM ("never"). */
  readonly stopGraceNs?: bigint | null;
  readonly stopExitCode?: number;
}

/** Applies the defaults (and the oom rules: exit at start, code 137) to the fields one source gave. */
export function buildContainerBehaviour(fields: ContainerBehaviourFields): ContainerBehaviour {
  const oomKilled = fields.oomKilled ?? false;
  return {
    exitAfterNs: fields.exitAfterNs ?? (oomKilled ? 0n : null),
    exitCode: fields.exitCode ?? (oomKilled ? SIGKILL_EXIT_CODE : 0),
    oomKilled,
    stopGraceNs: fields.stopGraceNs === undefined ? 0n : fields.stopGraceNs,
    stopExitCode: fields.stopExitCode ?? 0,
  };
}

/** Whether any behaviour key applies to this container (see the precedence note in the file comment). */
export function hasBehaviourAnnotations(
  sandboxAnnotations: Annotations,
  containerAnnotations: Annotations,
  containerName: string,
): boolean {
  return Object.values(BEHAVIOUR_ANNOTATION).some(
    (key) => find(key, sandboxAnnotations, containerAnnotations, containerName) !== undefined,
  );
}

/**
 * Reads the behaviour of container `containerName`. Throws CriError INVALID_ARGUMENT naming the
 * annotation, its value and the expected format when a value does not parse. With no behaviour
 * annotation at all, `fromModel` (a runtime model's `container` effect) is asked; it answers
 * undefined when no rule matches, and the container then runs until stopped.
 */
export function parseContainerBehaviour(
  sandboxAnnotations: Annotations,
  containerAnnotations: Annotations,
  containerName: string,
  fromModel?: () => ContainerBehaviour | undefined,
): ContainerBehaviour {
  if (fromModel !== undefined && !hasBehaviourAnnotations(sandboxAnnotations, containerAnnotations, containerName)) {
    return fromModel() ?? DEFAULT_CONTAINER_BEHAVIOUR;
  }
  const get = (key: BehaviourAnnotationKey): Found | undefined =>
    find(key, sandboxAnnotations, containerAnnotations, containerName);

  const oomFound = get(BEHAVIOUR_ANNOTATION.OOM);
  const exitAfterFound = get(BEHAVIOUR_ANNOTATION.EXIT_AFTER);
  const exitCodeFound = get(BEHAVIOUR_ANNOTATION.EXIT_CODE);
  const graceFound = get(BEHAVIOUR_ANNOTATION.STOP_GRACE);
  const stopExitFound = get(BEHAVIOUR_ANNOTATION.STOP_EXIT_CODE);

  return buildContainerBehaviour({
    oomKilled: oomFound === undefined ? undefined : parseBool(oomFound),
    exitAfterNs: exitAfterFound === undefined ? undefined : parseDuration(exitAfterFound),
    exitCode: exitCodeFound === undefined ? undefined : parseExitCode(exitCodeFound),
    stopGraceNs:
      graceFound === undefined ? undefined : graceFound.value.trim() === 'never' ? null : parseGraceDuration(graceFound),
    stopExitCode: stopExitFound === undefined ? undefined : parseExitCode(stopExitFound),
  });
}

function parseGraceDuration(found: Found): bigint {
  const ns = parseGoDurationNs(found.value);
  if (ns === undefined) throw invalid(found, `${DURATION_EXPECTED}, or "never"`);
  return ns;
}

/** Termination reason the runtimes report for an exit (CRI-O server/container_status.go, containerd container_status.go). */
export function exitReason(exitCode: number, oomKilled: boolean): 'Completed' | 'Error' | 'OOMKilled' {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}
