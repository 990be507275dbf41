/**
 * The per-call decision of a runtime model: before a CRI handler runs, how long the runtime takes
 * and whether it fails. Also the `container` effect, which the runtime state asks at CreateContainer.
 *
 * Per effect kind, the first rule (file order) that has the effect and matches the call applies
 * (see ./runtime-model-types.ts). The decision for one call:
 *   delayMs = latency sample + image transfer time (PullImage of an image not yet present:
 *             size from ./image-catalog.ts / bandwidthBytesPerSecond);
 *   error   = the error rule's status with its probability. An injected error replaces the call: the
 *             caller still waits the latency sample, no image is transferred and the runtime state is
 *             left untouched.
 *   hang    = with its probability, the call is never answered (checked before error: a wedged runtime
 *             says nothing); the runtime state is left untouched.
 *
 * Reproducibility. Random numbers are not drawn from one shared sequence: with one sequence, a single
 * extra call (a PLEG relist landing earlier, another pod worker winning a race) would shift every later
 * delay. Instead each draw is derived by hashing (seed, rule, effect, method, call target, n), where the
 * call target is the pod uid / container name / image (./call-subject.ts subjectKey) and n counts the
 * earlier draws of that same stream. So the same seed, model and calls give the same delays and errors,
 * and calls about one pod do not move the numbers of another pod's calls, whatever the interleaving.
 * sha256 is a counter-based generator here: its first 8 bytes give the two uniforms a sample needs.
 */
import { createHash } from 'node:crypto';
import { CriError } from '../state/cri-error';
import { parseImageReference } from '../state/image-reference';
import type { RuntimeState } from '../state/runtime-state';
import { resolveCallSubject, subjectKey } from './call-subject';
import type { ContainerBehaviour, ContainerBehaviourQuery, ContainerBehaviourSource } from './container-behaviour';
import { describeImage } from './image-catalog';
import { isRandom, sampleLatencyMs } from './latency-distribution';
import { methodMatches, needsSubject, ruleMatches } from './rule-matcher';
import type { CallSubject, EffectKind, ModelRule, RuntimeModel } from './runtime-model-types';

/** How many per-target draw counters are kept; the oldest is forgotten first (bounded memory). */
export const DEFAULT_MAX_RANDOM_STREAMS = 50_000;

const TWO_POW_32 = 4294967296;

export interface CallDecision {
  readonly delayMs: number;
  /** The status to answer with instead of running the call. */
  readonly error?: CriError;
  /** True when the call is never answered (a `hang` rule fired): only the caller's deadline ends it. */
  readonly hang?: boolean;
  /** Names of the rules that decided each effect (for logs and tests). */
  readonly rules: Readonly<Partial<Record<EffectKind, string>>>;
}

/** What handler-kit asks before each call. */
export interface CallModel {
  decide(method: string, request: unknown): CallDecision;
}

export interface CallDeciderOptions {
  readonly state: RuntimeState;
  /** The `--seed`; also the image catalogue's seed, so pull sizes match the state's. Default 1. */
  readonly seed?: number;
  readonly maxRandomStreams?: number;
}

/** Per-stream counters for the hash-derived draws. */
class DrawCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  next(stream: string): number {
    const n = this.counts.get(stream) ?? 0;
    this.counts.delete(stream);
    this.counts.set(stream, n + 1);
    if (this.counts.size > this.max) {
      const oldest = this.counts.keys().next().value as string;
      this.counts.delete(oldest);
    }
    return n;
  }
}

/** Two uniforms in (0, 1) for draw n of a stream (never 0 or 1: Box-Muller takes a logarithm). */
export function derivedUniforms(seed: number, stream: string, n: number): [number, number] {
  const digest = createHash('sha256').update(`${seed}\u0000${stream}\u0000${n}`).digest();
  return [(digest.readUInt32BE(0) + 0.5) / TWO_POW_32, (digest.readUInt32BE(4) + 0.5) / TWO_POW_32];
}

export function createCallDecider(model: RuntimeModel, options: CallDeciderOptions): CallModel {
  const seed = options.seed ?? 1;
  const state = options.state;
  const counter = new DrawCounter(options.maxRandomStreams ?? DEFAULT_MAX_RANDOM_STREAMS);
  const withEffect = (kind: EffectKind): ModelRule[] => model.rules.filter((r) => r[kind] !== undefined);
  const latencyRules = withEffect('latency');
  const pullRules = withEffect('imagePull');
  const errorRules = withEffect('error');
  const hangRules = withEffect('hang');

  const draw = (rule: ModelRule, kind: EffectKind, subject: CallSubject): [number, number] => {
    const stream = `${rule.index}:${rule.name}|${kind}|${subject.method}|${subjectKey(subject)}`;
    return derivedUniforms(seed, stream, counter.next(stream));
  };

  const pullTransferMs = (rule: ModelRule, request: unknown): number => {
    const image = (request as { image?: { image?: string } | null } | undefined)?.image?.image ?? '';
    const parsed = parseImageReference(image);
    if (!parsed.ok) return 0;
    const present = (() => {
      try {
        return state.imageStatus(image) !== null;
      } catch {
        return false;
      }
    })();
    if (present) return 0; // layers already in the store: nothing to transfer
    const { sizeBytes } = describeImage(parsed.ref.repository, (parsed.ref.tag ?? parsed.ref.digest) as string, seed, state.imageCatalog);
    return (sizeBytes / rule.imagePull!.bandwidthBytesPerSecond) * 1000;
  };

  return {
    decide(method: string, request: unknown): CallDecision {
      let subject: CallSubject | undefined;
      const subjectOf = (): CallSubject => (subject ??= resolveCallSubject(method, request, state));
      const first = (rules: ModelRule[]): ModelRule | undefined =>
        rules.find((r) => methodMatches(r.match, method) && (!needsSubject(r.match) || ruleMatches(r.match, subjectOf())));

      const rules: Partial<Record<EffectKind, string>> = {};
      let delayMs = 0;
      const latencyRule = first(latencyRules);
      if (latencyRule !== undefined) {
        const d = latencyRule.latency!;
        const [u1, u2] = isRandom(d) ? draw(latencyRule, 'latency', subjectOf()) : [0.5, 0.5];
        delayMs += sampleLatencyMs(d, u1, u2);
        rules.latency = latencyRule.name;
      }

      const hangRule = first(hangRules);
      if (hangRule !== undefined) {
        const p = hangRule.hang!.probability;
        if (p >= 1 || (p > 0 && draw(hangRule, 'hang', subjectOf())[0] < p)) {
          rules.hang = hangRule.name;
          return { delayMs, hang: true, rules };
        }
      }

      let error: CriError | undefined;
      const errorRule = first(errorRules);
      if (errorRule !== undefined) {
        const e = errorRule.error!;
        const fires = e.probability >= 1 || (e.probability > 0 && draw(errorRule, 'error', subjectOf())[0] < e.probability);
        if (fires) {
          error = new CriError(e.code, e.message);
          rules.error = errorRule.name;
        }
      }

      if (method === 'PullImage' && error === undefined) {
        const pullRule = first(pullRules);
        if (pullRule !== undefined) {
          delayMs += pullTransferMs(pullRule, request);
          rules.imagePull = pullRule.name;
        }
      }
      return error === undefined ? { delayMs, rules } : { delayMs, error, rules };
    },
  };
}

/**
 * The `container` effect as the runtime state's hook (RuntimeStateOptions.containerBehaviour):
 * undefined when the model has no container rules, so the state keeps its annotation-only path.
 */
export function createContainerBehaviourSource(model: RuntimeModel): ContainerBehaviourSource | undefined {
  const rules = model.rules.filter((r) => r.container !== undefined);
  if (rules.length === 0) return undefined;
  return (query: ContainerBehaviourQuery): ContainerBehaviour | undefined => {
    const subject: CallSubject = {
      method: 'CreateContainer',
      pod: {
        namespace: query.podNamespace,
        name: query.podName,
        uid: query.podUid,
        labels: query.podLabels,
        annotations: query.podAnnotations,
      },
      containerName: query.containerName,
      images: query.images,
    };
    return rules.find((r) => ruleMatches(r.match, subject))?.container;
  };
}
