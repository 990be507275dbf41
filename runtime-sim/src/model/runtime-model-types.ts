/**
 * Vocabulary of a runtime model: behaviour as data, in the style of KWOK's Stage API
 * (kubernetes-sigs/kwok pkg/apis/v1alpha1/stage_types.go: a selector, a delay and effects per
 * stage). A model is a list of rules; each rule has a name, a `match` (which calls it applies to) and
 * one or more effects:
 *
 *   latency    how long the runtime takes to answer (a distribution in milliseconds);
 *   imagePull  PullImage transfer time = image size (./image-catalog.ts) / bandwidthBytesPerSecond;
 *   error      a gRPC status injected with a probability;
 *   container  what a created container's process does (./container-behaviour.ts), CreateContainer only;
 *   hang       the runtime takes the call and never answers it (a wedged runtime): the caller's deadline
 *              ends it, the runtime state is left untouched.
 *
 * Which rule applies: for each effect kind separately, the first rule in file order that has that
 * effect and matches the call. So a specific rule placed before a catch-all overrides it for one
 * effect, and rules for different effects combine (one rule's latency, another's error).
 *
 * The file format (YAML) is checked by ./runtime-model.schema.json and ./load-runtime-model.ts;
 * these are the validated, normalised forms the matcher and the per-call decider use.
 */
import type { GrpcStatusCode } from '../state/cri-error';
import type { ContainerBehaviour } from './container-behaviour';
import type { LatencyDistribution } from './latency-distribution';

/** The file's apiVersion and kind (the KWOK/Kubernetes TypeMeta habit). */
export const RUNTIME_MODEL_API_VERSION = 'sim.cri.io/v1alpha1';
export const RUNTIME_MODEL_KIND = 'RuntimeModel';

/** Kubernetes LabelSelector operators (k8s.io/apimachinery pkg/apis/meta/v1 LabelSelectorOperator). */
export const SELECTOR_OPERATOR = {
  IN: 'In',
  NOT_IN: 'NotIn',
  EXISTS: 'Exists',
  DOES_NOT_EXIST: 'DoesNotExist',
} as const;
export type SelectorOperator = (typeof SELECTOR_OPERATOR)[keyof typeof SELECTOR_OPERATOR];

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A Kubernetes label selector: matchLabels and matchExpressions, all ANDed; empty matches everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly SelectorRequirement[];
}

/** An image condition: a pattern with `*` / `?` wildcards, or an exact reference compared normalised. */
export interface ImagePattern {
  /** As written in the file. */
  readonly text: string;
  /** Anchored regular expression for a glob; undefined for an exact reference. */
  readonly glob?: RegExp;
  /** Normalised form of an exact reference (`nginx` -> `docker.io/library/nginx:latest`). */
  readonly normalized?: string;
}

/** Conditions of a rule; every given condition must hold (AND), an absent one always holds. */
export interface RuleMatch {
  /** Short RPC names (`RunPodSandbox`). */
  readonly methods?: ReadonlySet<string>;
  readonly namespaces?: ReadonlySet<string>;
  readonly podSelector?: LabelSelector;
  readonly podAnnotationSelector?: LabelSelector;
  readonly images?: readonly ImagePattern[];
  readonly containerNames?: ReadonlySet<string>;
}

export interface ImagePullEffect {
  readonly bandwidthBytesPerSecond: number;
}

export interface ErrorEffect {
  readonly probability: number;
  readonly code: GrpcStatusCode;
  /** The canonical name as written (`UNAVAILABLE`). */
  readonly codeName: string;
  readonly message: string;
}

/** A call the runtime never answers, with this probability; only the caller's deadline (or cancel) ends it. */
export interface HangEffect {
  readonly probability: number;
}

export interface ModelRule {
  /** Position in the file's `rules` list (for messages and per-rule random streams). */
  readonly index: number;
  readonly name: string;
  readonly match: RuleMatch;
  readonly latency?: LatencyDistribution;
  readonly imagePull?: ImagePullEffect;
  readonly error?: ErrorEffect;
  readonly container?: ContainerBehaviour;
  readonly hang?: HangEffect;
}

export interface RuntimeModel {
  /** The file it was read from, as shown in messages. */
  readonly source: string;
  readonly rules: readonly ModelRule[];
}

/** Effect kinds; each is resolved separately (first matching rule with that effect wins). */
export type EffectKind = 'latency' | 'imagePull' | 'error' | 'container' | 'hang';

/** The pod, container and image a CRI call is about, as far as the call and the runtime state tell. */
export interface CallSubject {
  /** Short RPC name. */
  readonly method: string;
  readonly pod?: {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly containerName?: string;
  /** Every name the call's image is known by (as requested, user-specified, tags, digests). */
  readonly images: readonly string[];
}
