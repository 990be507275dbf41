import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { grpcDetailsFromErrorMessage, OtelgrpcShapedTracer } from '../../../cri-proto/src/tracing/otelgrpc-shaped-tracer';

function harness() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: new OtelgrpcShapedTracer(provider.getTracer('test')) };
}

/** What instrumentation-grpc does to a span, in its order (clientUtils.patchedCallback / serverUtils). */
function endLikeInstrumentation(span: ReturnType<OtelgrpcShapedTracer['startSpan']>, code: number, message: string, kind: 'client' | 'server'): void {
  span.setAttributes({ 'rpc.system': 'grpc', 'rpc.method': 'RunPodSandbox', 'rpc.service': 'runtime.v1.RuntimeService' });
  span.setAttributes({ 'server.address': undefined, 'server.port': NaN });
  if (code !== 0) {
    span.setStatus(kind === 'client' ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
    span.setAttribute('rpc.grpc.status_code', code);
    span.setAttributes({ 'grpc.error_name': 'Error', 'grpc.error_message': kind === 'client' ? `${code} NOT_FOUND: ${message}` : message });
  } else {
    span.setStatus({ code: SpanStatusCode.UNSET });
    span.setAttribute('rpc.grpc.status_code', 0);
  }
  span.end();
}

describe('OtelgrpcShapedTracer', () => {
  it('names spans like otelgrpc: the full method without a grpc. prefix', () => {
    const { exporter, tracer } = harness();
    endLikeInstrumentation(tracer.startSpan('grpc.runtime.v1.RuntimeService/RunPodSandbox', { kind: SpanKind.CLIENT }), 0, '', 'client');
    assert.equal(exporter.getFinishedSpans()[0].name, 'runtime.v1.RuntimeService/RunPodSandbox');
  });

  it('keeps otelgrpc attributes and drops those only instrumentation-grpc sets', () => {
    const { exporter, tracer } = harness();
    endLikeInstrumentation(tracer.startSpan('grpc.runtime.v1.RuntimeService/RunPodSandbox', { kind: SpanKind.CLIENT }), 5, 'not found', 'client');
    assert.deepEqual(Object.keys(exporter.getFinishedSpans()[0].attributes).sort(), ['rpc.grpc.status_code', 'rpc.method', 'rpc.service', 'rpc.system']);
  });

  it('marks a failed client call Error with the status details as message', () => {
    const { exporter, tracer } = harness();
    endLikeInstrumentation(tracer.startSpan('grpc.runtime.v1.RuntimeService/PodSandboxStatus', { kind: SpanKind.CLIENT }), 5, 'pod sandbox "abc" not found', 'client');
    assert.deepEqual(exporter.getFinishedSpans()[0].status, { code: SpanStatusCode.ERROR, message: 'pod sandbox "abc" not found' });
  });

  it('leaves a server span Unset for client-caused codes such as NotFound (otelgrpc serverStatus)', () => {
    const { exporter, tracer } = harness();
    endLikeInstrumentation(tracer.startSpan('grpc.runtime.v1.RuntimeService/PodSandboxStatus', { kind: SpanKind.SERVER }), 5, 'not found', 'server');
    assert.equal(exporter.getFinishedSpans()[0].status.code, SpanStatusCode.UNSET);
  });

  it('marks a server span Error for server faults such as Unimplemented', () => {
    const { exporter, tracer } = harness();
    endLikeInstrumentation(tracer.startSpan('grpc.runtime.v1.RuntimeService/ExecSync', { kind: SpanKind.SERVER }), 12, 'method ExecSync not implemented', 'server');
    assert.deepEqual(exporter.getFinishedSpans()[0].status, { code: SpanStatusCode.ERROR, message: 'method ExecSync not implemented' });
  });

  it('leaves successful calls Unset', () => {
    const { exporter, tracer } = harness();
    endLikeInstrumentation(tracer.startSpan('grpc.runtime.v1.RuntimeService/Version', { kind: SpanKind.SERVER }), 0, '', 'server');
    assert.equal(exporter.getFinishedSpans()[0].status.code, SpanStatusCode.UNSET);
  });

  describe('grpcDetailsFromErrorMessage', () => {
    it('strips grpc-js\'s "<code> <NAME>: " prefix', () => {
      assert.equal(grpcDetailsFromErrorMessage('14 UNAVAILABLE: No connection established'), 'No connection established');
      assert.equal(grpcDetailsFromErrorMessage('plain'), 'plain');
    });
  });
});
