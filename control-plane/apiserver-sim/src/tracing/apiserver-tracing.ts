import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { Tracer } from '@opentelemetry/api';
import { ProxyTracerProvider } from '@opentelemetry/api';
import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { GoTraceIdRatioBasedSampler } from '../../../../cri-proto/src/tracing/go-trace-id-ratio-sampler';
import type { ProcessTracing } from '../../../../cri-proto/src/tracing/process-tracing';
import { startProcessTracing } from '../../../../cri-proto/src/tracing/process-tracing';
import type { TracingConfiguration } from '../config/tracing-configuration';

/** k8s.io/apiserver pkg/server/options/tracing.go apiserverService. */
export const APISERVER_SERVICE_NAME = 'apiserver';
/** otelgrpc version k8s.io/apiserver v0.34 links (go.mod): the etcd client's CLIENT spans report it. */
export const APISERVER_OTELGRPC_VERSION = '0.60.0';

/** Instrumentation scopes of the apiserver's spans. */
export const APISERVER_SCOPES = {
  /** otelhttp v0.58.0 (k8s.io/apiserver v0.34 go.mod) tracer name, otelhttp/config.go ScopeName. */
  otelhttp: { name: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', version: '0.58.0' },
  /** pkg/endpoints/filterlatency/filterlatency.go trackStarted (upstream spells the domain k8s.op). */
  filterlatency: { name: 'k8s.op/apiserver/pkg/endpoints/filterlatency', version: '' },
  /** component-base tracing/tracing.go instrumentationScope, used by tracing.Start in handlers and storage. */
  componentBase: { name: 'k8s.io/component-base/tracing', version: '' },
} as const;

/** component-base NewProvider's sampler: ParentBased(NeverSample | TraceIDRatioBased(rate/1e6)). */
export function apiserverSampler(samplingRatePerMillion: number | undefined): Sampler {
  const rate = samplingRatePerMillion ?? 0;
  return new ParentBasedSampler({ root: rate <= 0 ? new AlwaysOffSampler() : new GoTraceIdRatioBasedSampler(rate / 1_000_000) });
}

/**
 * The apiserver identity (pkg/server/config.go NewConfig with APIServerIdentity on): "apiserver-" + the
 * lower-case unpadded base32 of the first 16 bytes of sha256 over the uint16-length-prefixed hostname and
 * "kube-apiserver" (cryptobyte). It is the resource's service.instance.id.
 */
export function apiserverId(hostname: string = osHostname()): string {
  const prefixed = (s: string): Buffer => {
    const bytes = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(bytes.length);
    return Buffer.concat([len, bytes]);
  };
  const hash = createHash('sha256').update(Buffer.concat([prefixed(hostname), prefixed('kube-apiserver')])).digest();
  return `apiserver-${base32NoPadding(hash.subarray(0, 16)).toLowerCase()}`;
}

/** RFC 4648 base32, upper case, without padding (Go base32.StdEncoding.WithPadding(NoPadding)). */
export function base32NoPadding(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export interface ApiserverTracing {
  getTracer(scope: { name: string; version: string }): Tracer;
  tracing: ProcessTracing | undefined;
  shutdown(): Promise<void>;
}

/**
 * The apiserver's tracer provider (pkg/server/options/tracing.go ApplyTo → component-base NewProvider): only
 * with --tracing-config-file (else a noop provider that still propagates, as otelhttp/otelgrpc do with one);
 * resource service.name=apiserver and service.instance.id=<apiserver id>; insecure OTLP/gRPC to `endpoint`
 * (default localhost:4317); batch processor; W3C TraceContext + Baggage. Must run before grpc-js loads.
 */
export async function startApiserverTracing(config: TracingConfiguration | undefined, instanceId: string, exporter?: SpanExporter): Promise<ApiserverTracing> {
  if (config === undefined) {
    const noop = new ProxyTracerProvider();
    return { getTracer: (s) => noop.getTracer(s.name, s.version), tracing: undefined, shutdown: async () => undefined };
  }
  const tracing = await startProcessTracing({
    resourceAttributes: { 'service.name': APISERVER_SERVICE_NAME, 'service.instance.id': instanceId },
    mergeEnvironmentResource: true,
    sampler: apiserverSampler(config.samplingRatePerMillion),
    endpoint: config.endpoint,
    otelgrpcVersion: APISERVER_OTELGRPC_VERSION,
    exporter,
  });
  return { getTracer: (s) => tracing.tracer(s.name, s.version || undefined), tracing, shutdown: () => tracing.shutdown() };
}
