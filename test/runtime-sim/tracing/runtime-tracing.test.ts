import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import { loadPersonaVersion } from '../../../runtime-sim/src/personas/persona-catalog';
import { planRuntimeTracing, samplerFor } from '../../../runtime-sim/src/tracing/runtime-tracing';
import { readContainerdOtelEnv } from '../../../runtime-sim/src/tracing/containerd-otel-env';
import { statusProtoSize } from '../../../runtime-sim/src/tracing/cri-call-tracing';

const crio = loadPersonaVersion('crio', '1.33');
const containerd21 = loadPersonaVersion('containerd', '2.1');
const containerd16 = loadPersonaVersion('containerd', '1.6');
const base = { crioEnableTracing: false, crioEndpoint: undefined, crioSamplingRatePerMillion: 0, env: {} };

/** Starts a SERVER span under a remote parent with the given sampled flag; returns the exported span or undefined. */
function childOfRemoteParent(sampler: Sampler, parentSampled: boolean) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true };
  provider.getTracer('t').startSpan('runtime.v1.RuntimeService/RunPodSandbox', { kind: SpanKind.SERVER }, trace.setSpanContext(ROOT_CONTEXT, parent)).end();
  return exporter.getFinishedSpans()[0];
}

describe('planRuntimeTracing', () => {
  it('crio traces only with enable_tracing, to 127.0.0.1:4317 by default', () => {
    assert.deepEqual(planRuntimeTracing({ ...base, spec: crio }).enabled, false);
    const plan = planRuntimeTracing({ ...base, spec: crio, crioEnableTracing: true });
    assert.ok(plan.enabled);
    assert.equal(plan.options.endpoint, '127.0.0.1:4317');
    assert.equal(plan.options.resourceAttributes['service.name'], 'crio');
  });

  it('containerd 2.1 needs an OTLP endpoint variable and warns about TOML tracing tables', () => {
    const off = planRuntimeTracing({ ...base, spec: containerd21, containerdToml: { endpoint: '127.0.0.1:4317' } });
    assert.equal(off.enabled, false);
    assert.match(off.enabled ? '' : off.reason, /tracing endpoint not configured/);
    assert.match(off.warnings[0], /deprecated and ignored since containerd 2\.0/);
    const on = planRuntimeTracing({ ...base, spec: containerd21, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'ctr-a' } });
    assert.ok(on.enabled);
    assert.equal(on.options.resourceAttributes['service.name'], 'ctr-a');
    assert.match(on.description, /\(http\/protobuf\)$/);
  });

  it('containerd 2.1 has the Go SDK default resource: no host.name, telemetry.sdk.* of otel-go 1.35.0, schema 1.26.0', () => {
    const on = planRuntimeTracing({ ...base, spec: containerd21, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318' } });
    assert.ok(on.enabled);
    assert.deepEqual(on.options.resourceAttributes, {
      'service.name': 'containerd',
      'telemetry.sdk.language': 'go',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '1.35.0',
    });
    assert.equal(on.options.schemaUrl, 'https://opentelemetry.io/schemas/1.26.0');
    assert.ok(containerd21.unknownRpcs.includes('UpdatePodSandboxResources'), 'cri-api v0.32.3 has no UpdatePodSandboxResources');
  });

  it('containerd 1.6 needs the otlp plugin endpoint and refuses other protocols', () => {
    assert.equal(planRuntimeTracing({ ...base, spec: containerd16 }).enabled, false);
    const bad = planRuntimeTracing({ ...base, spec: containerd16, containerdToml: { endpoint: 'x:1', protocol: 'http/json' } });
    assert.match(bad.enabled ? '' : bad.reason, /OpenTelemetry protocol "http\/json": not implemented/);
    const on = planRuntimeTracing({ ...base, spec: containerd16, containerdToml: { endpoint: '127.0.0.1:4317', protocol: 'grpc', serviceName: 'node-a' } });
    assert.ok(on.enabled);
    assert.deepEqual(on.options.resourceAttributes, { 'service.name': 'node-a' });
    assert.equal(on.options.otelgrpcVersion, 'semver:0.27.0');
    assert.ok(on.options.untracedMethods?.includes('RuntimeConfig'));
    assert.deepEqual(on.options.otelgrpcShape, { serverErrorOnAnyCode: true });
  });
});

describe('readContainerdOtelEnv', () => {
  it('follows containerd\'s skip rules and protocol default', () => {
    assert.deepEqual(readContainerdOtelEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://h:4318' }), { enabled: true, protocol: 'http/protobuf', endpoint: 'http://h:4318' });
    assert.equal(readContainerdOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).enabled, true);
    assert.match(JSON.stringify(readContainerdOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h', OTEL_SDK_DISABLED: 'true' })), /OTEL_SDK_DISABLED/);
    assert.match(JSON.stringify(readContainerdOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h', OTEL_TRACES_EXPORTER: 'zipkin' })), /only \\"otlp\\"/);
  });
});

describe('samplerFor', () => {
  it('containerd 1.6 samples by trace id alone: an unsampled parent still gets a recorded child with the parent link', () => {
    const span = childOfRemoteParent(samplerFor(containerd16, { ratio: 1 }), false);
    assert.ok(span, 'span was not recorded');
    assert.equal(span.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(span.parentSpanContext?.spanId, '00f067aa0ba902b7');
  });

  it('containerd 1.6 with ratio 0 drops even a sampled parent\'s child', () => {
    assert.equal(childOfRemoteParent(samplerFor(containerd16, { ratio: 0 }), true), undefined);
  });

  it('crio follows the parent whatever its own rate', () => {
    assert.ok(childOfRemoteParent(samplerFor(crio, { ratePerMillion: 0 }), true));
    assert.equal(childOfRemoteParent(samplerFor(crio, { ratePerMillion: 1_000_000 }), false), undefined);
  });
});

describe('statusProtoSize', () => {
  it('sizes google.rpc.Status as otelgrpc v0.28 reports a failed call', () => {
    assert.equal(statusProtoSize(0, ''), 0);
    assert.equal(statusProtoSize(5, 'not found'), 2 + 2 + 9);
    assert.equal(statusProtoSize(2, 'x'.repeat(200)), 2 + 1 + 2 + 200);
  });
});
