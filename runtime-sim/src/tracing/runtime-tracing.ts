import { hostname } from 'node:os';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler } from '../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';
import type { ProcessTracing, ProcessTracingOptions } from '../../../cri-proto/src/tracing/process-tracing';
import { startProcessTracing } from '../../../cri-proto/src/tracing/process-tracing';
import type { FleetTracingOptions, NodeTracingOptions } from '../../../cri-proto/src/tracing/fleet-tracing';
import type { ContainerdTracingConfig } from '../config/runtime-config-file';
import type { PersonaVersionSpec } from '../personas/persona-version-spec';
import { createContainerdExporter, readContainerdOtelEnv } from './containerd-otel-env';

/** CRI-O's default tracing endpoint since v1.31 (pkg/config/config.go). */
export const CRIO_DEFAULT_TRACING_ENDPOINT = '127.0.0.1:4317';

/** containerd 1.x TraceConfig defaults (tracing/plugin/otlp.go registration). */
export const CONTAINERD_V1_TRACING_DEFAULTS = { samplingRatio: 1.0, serviceName: 'containerd' } as const;

/** What the runtime's configuration says about tracing, per the persona version's `tracingConfig`. */
export interface RuntimeTracingInputs {
  spec: PersonaVersionSpec;
  /** crio-conf: --enable-tracing (or implied by an endpoint/rate flag) / [crio.tracing] enable_tracing. */
  crioEnableTracing: boolean;
  /** crio-conf: tracing_endpoint (gRPC target). */
  crioEndpoint: string | undefined;
  /** crio-conf: tracing_sampling_rate_per_million. */
  crioSamplingRatePerMillion: number;
  /** containerd-toml-v1: the config.toml tracing tables. */
  containerdToml?: ContainerdTracingConfig;
  env: NodeJS.ProcessEnv;
  /** Tests: export synchronously to this exporter instead of OTLP. */
  exporter?: SpanExporter;
}

export type RuntimeTracingPlan =
  | { readonly enabled: false; readonly reason: string; readonly warnings: readonly string[] }
  | { readonly enabled: true; readonly options: ProcessTracingOptions; readonly description: string; readonly warnings: readonly string[] };

/**
 * Decides whether and how the runtime traces, as the real one would:
 *  - crio (internal/opentelemetry/tracing_config.go): only with enable_tracing; resource service.name=crio,
 *    host.name, process.pid, schema semconv 1.12.0; ParentBased(NeverSample | TraceIDRatioBased(rate/1e6));
 *    OTLP/gRPC insecure to tracing_endpoint.
 *  - containerd 2.x (pkg/tracing, OTEL_* env): only when an OTLP endpoint variable is set (see
 *    containerd-otel-env.ts); service.name from OTEL_SERVICE_NAME, default containerd; sampler from
 *    OTEL_TRACES_SAMPLER[_ARG], default ParentBased(AlwaysOn). config.toml tracing tables only warn.
 *  - containerd 1.6 (tracing/plugin/otlp.go): only when the otlp plugin has an endpoint; service.name
 *    from service_name; TraceIDRatioBased(sampling_ratio) NOT parent-based, so the kubelet's decision is
 *    ignored; http/protobuf by default, grpc when protocol = "grpc".
 * All: batch span processor, W3C TraceContext + Baggage, otelgrpc server spans shaped per the spec, and
 * no span for RPCs the version's CRI API does not have.
 */
/** go.opentelemetry.io/otel/sdk version containerd v2.1.0 vendors (telemetry.sdk.version of its spans). */
export const CONTAINERD_21_OTEL_GO_SDK_VERSION = '1.35.0';

export function planRuntimeTracing(inputs: RuntimeTracingInputs): RuntimeTracingPlan {
  const { spec, env } = inputs;
  const warnings: string[] = [];
  const common = {
    mergeEnvironmentResource: true,
    otelgrpcVersion: spec.otelgrpc.scopeVersion,
    untracedMethods: spec.unknownRpcs,
    otelgrpcShape: { serverErrorOnAnyCode: spec.otelgrpc.instrumentation === 'unary-interceptor' },
    exporter: inputs.exporter,
  };

  switch (spec.tracingConfig) {
    case 'crio-conf': {
      if (!inputs.crioEnableTracing) return { enabled: false, reason: 'enable_tracing is false', warnings };
      const rate = inputs.crioSamplingRatePerMillion;
      const endpoint = inputs.crioEndpoint ?? CRIO_DEFAULT_TRACING_ENDPOINT;
      return {
        enabled: true,
        warnings,
        description: `tracing to ${endpoint} samplingRatePerMillion=${rate}`,
        options: {
          ...common,
          resourceAttributes: { 'service.name': 'crio', 'host.name': hostname(), 'process.pid': process.pid },
          schemaUrl: 'https://opentelemetry.io/schemas/1.12.0',
          sampler: samplerFor(spec, { ratePerMillion: rate }),
          endpoint,
        },
      };
    }
    case 'otel-env': {
      if (inputs.containerdToml !== undefined) {
        warnings.push('config.toml tracing tables are deprecated and ignored since containerd 2.0; configure tracing with OTEL_* environment variables');
      }
      const config = readContainerdOtelEnv(env);
      if (!config.enabled && inputs.exporter === undefined) return { enabled: false, reason: config.reason, warnings };
      return {
        enabled: true,
        warnings,
        description: config.enabled ? `tracing to ${config.endpoint} (${config.protocol})` : 'tracing to the test exporter',
        options: {
          ...common,
          // The SDK's default resource (pkg/tracing/plugin/otlp.go builds no resource of its own): service.name,
          // the Go SDK's telemetry.sdk.* and its schema URL, and no host.name (seen from a real v2.1.0,
          // docs/upstream-spans/containerd-2.1.0/notes.md).
          resourceAttributes: {
            'service.name': env.OTEL_SERVICE_NAME || 'containerd',
            'telemetry.sdk.language': 'go',
            'telemetry.sdk.name': 'opentelemetry',
            'telemetry.sdk.version': CONTAINERD_21_OTEL_GO_SDK_VERSION,
          },
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          sampler: samplerFor(spec, { env }),
          endpoint: undefined,
          createExporter: config.enabled ? () => createContainerdExporter(config) : undefined,
        },
      };
    }
    case 'containerd-toml-v1': {
      const toml = inputs.containerdToml ?? {};
      const protocol = toml.protocol ?? '';
      if (toml.endpoint === undefined || toml.endpoint === '') {
        if (inputs.exporter === undefined) {
          return { enabled: false, reason: `no endpoint in [plugins."io.containerd.tracing.processor.v1.otlp"] (skipping tracing processor initialization)`, warnings };
        }
      } else if (protocol !== '' && protocol !== 'http/protobuf' && protocol !== 'grpc') {
        return { enabled: false, reason: `OpenTelemetry protocol ${JSON.stringify(protocol)}: not implemented (use http/protobuf or grpc)`, warnings };
      }
      const ratio = toml.samplingRatio ?? CONTAINERD_V1_TRACING_DEFAULTS.samplingRatio;
      const endpoint = toml.endpoint ?? '';
      return {
        enabled: true,
        warnings,
        description: `tracing to ${endpoint || 'the test exporter'} (${protocol || 'http/protobuf'}) sampling_ratio=${ratio}`,
        options: {
          ...common,
          resourceAttributes: { 'service.name': toml.serviceName ?? CONTAINERD_V1_TRACING_DEFAULTS.serviceName },
          sampler: samplerFor(spec, { ratio }),
          endpoint: undefined,
          createExporter: endpoint === '' ? undefined : () => createContainerdV1Exporter(endpoint, protocol),
        },
      };
    }
  }
}

/** Starts the planned tracing. Must run before anything loads @grpc/grpc-js. */
export function startRuntimeTracing(plan: Extract<RuntimeTracingPlan, { enabled: true }>): Promise<ProcessTracing> {
  return startProcessTracing(plan.options);
}

/** The persona version's sampler (see SAMPLER_KINDS). */
export function samplerFor(spec: PersonaVersionSpec, inputs: { ratePerMillion?: number; ratio?: number; env?: NodeJS.ProcessEnv }): Sampler {
  switch (spec.sampler) {
    case 'parent-based-ratio-per-million': {
      const rate = inputs.ratePerMillion ?? 0;
      return new ParentBasedSampler({ root: rate <= 0 ? new AlwaysOffSampler() : new GoTraceIdRatioBasedSampler(rate / 1_000_000) });
    }
    case 'trace-id-ratio':
      // otel-go TraceIDRatioBased on its own decides by trace id alone; the parent only lends its trace id.
      return new GoTraceIdRatioBasedSampler(inputs.ratio ?? 1);
    case 'otel-env':
      return otelEnvSampler(inputs.env ?? {});
  }
}

/** otel-go's sampler from OTEL_TRACES_SAMPLER[_ARG] (sdk/trace/sampler_env.go); default ParentBased(AlwaysOn). */
function otelEnvSampler(env: NodeJS.ProcessEnv): Sampler {
  const name = env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on';
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const ratio = Number.isFinite(arg) ? arg : 1;
  switch (name) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new GoTraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new GoTraceIdRatioBasedSampler(ratio) });
    default: return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * containerd 1.x newExporter: http/protobuf to the URL's host with the default /v1/traces path, or grpc
 * to the endpoint. (TLS is not emulated: the grpc channel is always plaintext, as with insecure = true.)
 */
function createContainerdV1Exporter(endpoint: string, protocol: string) {
  if (protocol === 'grpc') return createContainerdExporter({ protocol: 'grpc', endpoint }, endpoint.replace(/^https?:\/\//, ''));
  const url = new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`);
  return createContainerdExporter({ protocol: 'http/protobuf', endpoint }, `${url.protocol}//${url.host}/v1/traces`);
}

/**
 * One node's share of the planned tracing in a `--nodes N` process: the plan's resource with
 * `host.name=<node name>`, so each node's runtime spans are that node's in the collector. CRI-O sets host.name
 * itself (os.Hostname(), here the simulated node's name); containerd's resource has no host.name of its own,
 * so each node gets the one an operator would add with OTEL_RESOURCE_ATTRIBUTES=host.name=<node> (1.6: a
 * fleet-mode addition, as 1.6 reads no such variable). Sampler and schema are the plan's.
 */
export function runtimeNodeTracingOptions(options: ProcessTracingOptions, nodeName: string): NodeTracingOptions {
  return {
    resourceAttributes: { ...options.resourceAttributes, 'host.name': nodeName },
    schemaUrl: options.schemaUrl,
    mergeEnvironmentResource: options.mergeEnvironmentResource,
    sampler: options.sampler,
  };
}

/** What the nodes of a `--nodes N` process share: the plan's instrumentation shape and exporter. */
export function runtimeFleetTracingOptions(options: ProcessTracingOptions): FleetTracingOptions {
  return {
    endpoint: options.endpoint,
    otelgrpcVersion: options.otelgrpcVersion,
    untracedMethods: options.untracedMethods,
    otelgrpcShape: options.otelgrpcShape,
    exporter: options.exporter,
    createExporter: options.createExporter,
  };
}
