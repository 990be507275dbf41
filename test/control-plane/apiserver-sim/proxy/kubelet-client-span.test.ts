import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { parseApiserverSimArgs } from '../../../../control-plane/apiserver-sim/src/cli/apiserver-sim-args';
import { traceKubeletRequest } from '../../../../control-plane/apiserver-sim/src/proxy/kubelet-client-span';

describe('requests to a kubelet', () => {
  const exporter = new InMemorySpanExporter();
  let provider: NodeTracerProvider;
  before(() => {
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
  });
  after(async () => provider.shutdown());

  const url = new URL('http://127.0.0.1:10250/exec/default/web/app?command=echo');

  it('are not traced by default, as kube-apiserver: no span, nothing injected', () => {
    exporter.reset();
    const request = traceKubeletRequest(undefined, 'GET', url, undefined);
    assert.deepEqual(request.headers, {});
    request.end(101);
    assert.equal(exporter.getFinishedSpans().length, 0);
  });

  it('with --trace-kubelet-proxy are an otelhttp CLIENT span whose context is injected', () => {
    exporter.reset();
    const request = traceKubeletRequest(provider.getTracer('go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp'), 'GET', url, undefined);
    request.end(101);
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.name, 'HTTP GET');
    assert.equal(span?.attributes['http.status_code'], 101);
    assert.equal(request.headers.traceparent, `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`);
  });

  it('--trace-kubelet-proxy is off unless given', () => {
    const base = ['--etcd-servers', 'unix:///tmp/etcd.sock'];
    assert.equal(parseApiserverSimArgs(base, () => 't').traceKubeletProxy, false);
    assert.equal(parseApiserverSimArgs([...base, '--trace-kubelet-proxy'], () => 't').traceKubeletProxy, true);
  });
});
