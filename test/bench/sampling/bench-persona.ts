/**
 * The runtime the sampling benchmark plays, and what its two series mean for it. Both series keep one meaning
 * across runtimes: "follows" = the runtime samples no root of its own and follows the sampled flag of the
 * kubelet's `traceparent`; "samples all" = the runtime also samples every root of its own (CRI calls from an
 * untraced kubelet, its background work) and still follows a parent's flag.
 *
 * - CRI-O (internal/opentelemetry/tracing_config.go): ParentBased(NeverSample | TraceIDRatioBased(rate/1e6)),
 *   so follows = `--tracing-sampling-rate-per-million 0` (its default), samples all = `1000000`
 *   (cri-o/cri-o PR #6322).
 * - containerd 2.x (pkg/tracing/plugin/otlp.go@v2.1.0 builds its provider with the otel-go SDK defaults, whose
 *   sampler comes from OTEL_TRACES_SAMPLER, sdk/trace/sampler_env.go; default ParentBased(AlwaysOn)): samples
 *   all = containerd's own default (no OTEL_TRACES_SAMPLER), follows = `OTEL_TRACES_SAMPLER=parentbased_always_off`.
 *   It exports OTLP/HTTP protobuf by default, so the benchmark gives it only OTEL_EXPORTER_OTLP_ENDPOINT on
 *   the receiver's HTTP port (node-demo/src/runtime-export-setup.ts).
 */
import type { Series } from './sampling-settings';

export const BENCH_PERSONAS = ['crio', 'containerd'] as const;
export type BenchPersona = (typeof BENCH_PERSONAS)[number];

export interface BenchPersonaSpec {
  readonly persona: BenchPersona;
  /** runtime-sim's default version of the persona, as the header names it. */
  readonly label: string;
  /** service.name of its spans. */
  readonly service: string;
  /** The knob that sets each series, for the output and the doc. */
  readonly seriesMeaning: Readonly<Record<Series, string>>;
  /** containerd 2.x exports OTLP/HTTP by default: the receiver must listen for it. */
  readonly needsHttpReceiver: boolean;
}

export const BENCH_PERSONA_SPECS: Readonly<Record<BenchPersona, BenchPersonaSpec>> = {
  crio: {
    persona: 'crio',
    label: 'CRI-O 1.33',
    service: 'crio',
    seriesMeaning: {
      'runtime-follows': 'CRI-O --tracing-sampling-rate-per-million 0 (ParentBased(NeverSample): follows the kubelet, samples no root of its own)',
      'runtime-samples-all': 'CRI-O --tracing-sampling-rate-per-million 1000000 (ParentBased(AlwaysSample ratio): follows a parent, samples every root of its own)',
    },
    needsHttpReceiver: false,
  },
  containerd: {
    persona: 'containerd',
    label: 'containerd 2.1 (OTLP/HTTP protobuf)',
    service: 'containerd',
    seriesMeaning: {
      'runtime-follows': 'containerd OTEL_TRACES_SAMPLER=parentbased_always_off (follows the kubelet, samples no root of its own)',
      'runtime-samples-all': 'containerd with no OTEL_TRACES_SAMPLER: its default ParentBased(AlwaysOn) (follows a parent, samples every root of its own)',
    },
    needsHttpReceiver: true,
  },
};

/** The environment that picks containerd's sampler for a series (runtimeRate 0 = follows, 1000000 = samples all). */
export function containerdSamplerEnv(runtimeRate: number): NodeJS.ProcessEnv {
  if (runtimeRate === 0) return { OTEL_TRACES_SAMPLER: 'parentbased_always_off' };
  if (runtimeRate === 1_000_000) return {};
  throw new Error(`containerd has no per-million rate; the benchmark runs it at 0 (follows) or 1000000 (its default), got ${runtimeRate}`);
}

export function parseBenchPersona(value: string): BenchPersona {
  if ((BENCH_PERSONAS as readonly string[]).includes(value)) return value as BenchPersona;
  throw new Error(`--persona: unknown runtime "${value}"; use ${BENCH_PERSONAS.join(' or ')}`);
}
