import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { KubeletMetrics } from '../../../kubelet-sim/src/metrics/kubelet-metrics';
import { namedCheck, PING_HEALTHZ } from '../../../kubelet-sim/src/server/healthz';
import { KubeletListenError, startKubeletHttpServers } from '../../../kubelet-sim/src/server/kubelet-http-servers';
import type { RunningKubeletServers } from '../../../kubelet-sim/src/server/kubelet-http-servers';
import { newHealthzHandler, newKubeletHandler } from '../../../kubelet-sim/src/server/kubelet-server';
import { OTEL_RESTFUL } from '../../../kubelet-sim/src/server/otel-restful-filter';
import type { V1PodList } from '../../../kubelet-sim/src/server/pod-list';
import type { Logger } from '../../../kubelet-sim/src/util/logger';
import { containerStatus, makePod, podStatus, readySandbox } from '../fixtures';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Harness {
  servers: RunningKubeletServers;
  exporter: InMemorySpanExporter;
  syncLoopFailure: { reason: string | undefined };
  log: Logger & { lines: string[] };
}

async function startHarness(options: { publicEndpoint?: boolean; healthzPort?: number; address?: string } = {}): Promise<Harness> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer(OTEL_RESTFUL.SCOPE_NAME, OTEL_RESTFUL.SCOPE_VERSION);
  const syncLoopFailure: { reason: string | undefined } = { reason: undefined };
  const pod = makePod({ name: 'web', uid: 'uid-web' });
  const metrics = new KubeletMetrics();
  metrics.runtimeOperations.inc({ operation_type: 'run_podsandbox' });
  const main = newKubeletHandler({
    healthChecks: [PING_HEALTHZ, namedCheck('log', () => undefined), namedCheck('syncloop', () => syncLoopFailure.reason)],
    pods: {
      nodeName: 'test-node',
      runtimeName: 'cri-o',
      pods: () => [pod],
      cachedStatus: () => podStatus([readySandbox()], [containerStatus('app', 'running')], pod),
    },
    metrics,
    tracer,
    publicEndpoint: options.publicEndpoint ?? false,
    propagator: new W3CTraceContextPropagator(),
  });
  const log = recordingLog();
  const servers = await startKubeletHttpServers(
    { address: options.address ?? '127.0.0.1', port: 0, readOnlyPort: 0, healthzBindAddress: '127.0.0.1', healthzPort: options.healthzPort ?? 0 },
    { main, readOnly: () => main, healthz: newHealthzHandler },
    log,
  );
  return { servers, exporter, syncLoopFailure, log };
}

describe('kubelet HTTP server', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ healthzPort: await freePort() });
  });
  after(() => h.servers.close());
  afterEach(() => h.exporter.reset());

  describe('GET /pods', () => {
    it('lists the managed pods as a v1 PodList with status from the pod cache', async () => {
      const res = await fetch(`${h.servers.mainUrl}/pods`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const list = (await res.json()) as V1PodList;
      assert.equal(list.kind, 'PodList');
      assert.equal(list.apiVersion, 'v1');
      assert.equal(list.items.length, 1);
      const [item] = list.items;
      assert.equal(item.metadata.name, 'web');
      assert.equal(item.metadata.creationTimestamp, null);
      assert.equal(item.spec.nodeName, 'test-node');
      assert.equal(item.status.phase, 'Running');
      assert.equal(item.status.podIP, '10.88.0.2');
      assert.equal(item.status.containerStatuses?.[0].containerID, 'cri-o://app-id');
      assert.ok(item.status.containerStatuses?.[0].state?.running);
    });

    it('traces the request as a SERVER span named by the route template, with otelrestful v0.44 attributes', async () => {
      const res = await fetch(`${h.servers.mainUrl}/pods`, { headers: { 'user-agent': 'curl/8.5.0', 'x-forwarded-for': '10.0.0.9, 10.0.0.1' } });
      await res.arrayBuffer();
      const spans = h.exporter.getFinishedSpans();
      assert.equal(spans.length, 1);
      const [span] = spans;
      assert.equal(span.name, '/pods');
      assert.equal(span.kind, SpanKind.SERVER);
      assert.equal(span.instrumentationScope.name, 'go.opentelemetry.io/contrib/instrumentation/github.com/emicklei/go-restful/otelrestful');
      assert.equal(span.instrumentationScope.version, '0.44.0');
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      const port = Number(new URL(h.servers.mainUrl).port);
      const { 'net.sock.peer.port': peerPort, ...rest } = span.attributes;
      assert.equal(typeof peerPort, 'number');
      assert.deepEqual(rest, {
        'http.method': 'GET',
        'http.scheme': 'http',
        'http.flavor': '1.1',
        'net.host.name': 'kubelet',
        'net.host.port': port,
        'net.sock.peer.addr': '127.0.0.1',
        'http.user_agent': 'curl/8.5.0',
        'http.client_ip': '10.0.0.9',
        'http.route': '/pods',
        'http.status_code': 200,
      });
    });

    it('continues the caller\'s trace from traceparent', async () => {
      await (await fetch(`${h.servers.mainUrl}/pods`, { headers: { traceparent: TRACEPARENT } })).arrayBuffer();
      const [span] = h.exporter.getFinishedSpans();
      assert.equal(span.spanContext().traceId, TRACE_ID);
      assert.equal(span.parentSpanContext?.spanId, PARENT_SPAN_ID);
      assert.deepEqual(span.links, []);
    });

    it('answers other methods with go-restful\'s 405, traced without a route', async () => {
      const res = await fetch(`${h.servers.mainUrl}/pods`, { method: 'POST' });
      assert.equal(res.status, 405);
      assert.equal(await res.text(), '405: Method Not Allowed');
      const [span] = h.exporter.getFinishedSpans();
      assert.equal(span.name, '');
      assert.equal(span.attributes['http.route'], undefined);
      assert.equal(span.attributes['http.status_code'], 405);
      assert.equal(span.status.code, SpanStatusCode.UNSET, '4xx is not an error for a server');
    });
  });

  describe('GET /metrics', () => {
    it('serves the Prometheus text, through the filter but with no route: an unnamed span', async () => {
      const res = await fetch(`${h.servers.mainUrl}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.match(await res.text(), /^kubelet_runtime_operations_total\{operation_type="run_podsandbox"\} 1$/m);
      const [span] = h.exporter.getFinishedSpans();
      assert.equal(span.name, '');
      assert.equal(span.attributes['http.route'], undefined);
      assert.equal(span.attributes['http.status_code'], 200);
    });
  });

  describe('GET /healthz', () => {
    it('is ok, and verbose lists ping, log and syncloop', async () => {
      assert.equal(await (await fetch(`${h.servers.mainUrl}/healthz`)).text(), 'ok');
      const verbose = await fetch(`${h.servers.mainUrl}/healthz?verbose`);
      assert.equal(await verbose.text(), '[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
    });

    it('fails with 500 when syncloop fails, and the span is an error', async () => {
      h.syncLoopFailure.reason = 'sync Loop took longer than expected';
      try {
        const res = await fetch(`${h.servers.mainUrl}/healthz`);
        assert.equal(res.status, 500);
        assert.equal(await res.text(), '[+]ping ok\n[+]log ok\n[-]syncloop failed: reason withheld\nhealthz check failed\n');
        const single = await fetch(`${h.servers.mainUrl}/healthz/syncloop`);
        assert.equal(await single.text(), 'internal server error: sync Loop took longer than expected\n');
        const spans = h.exporter.getFinishedSpans();
        assert.equal(spans.length, 2);
        assert.ok(spans.every((s) => s.status.code === SpanStatusCode.ERROR && s.attributes['http.status_code'] === 500 && s.name === ''));
      } finally {
        h.syncLoopFailure.reason = undefined;
      }
    });
  });

  it('answers an unknown path with the mux 404 and no span', async () => {
    const res = await fetch(`${h.servers.mainUrl}/nope`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), '404 page not found\n');
    assert.equal(h.exporter.getFinishedSpans().length, 0);
  });

  it('runs a separate healthz server with only ping and no tracing', async () => {
    assert.ok(h.servers.healthzUrl);
    const res = await fetch(`${h.servers.healthzUrl}/healthz?verbose`);
    assert.equal(await res.text(), '[+]ping ok\nhealthz check passed\n');
    assert.equal((await fetch(`${h.servers.healthzUrl}/pods`)).status, 404);
    assert.equal(h.exporter.getFinishedSpans().length, 0);
  });
});

describe('read-only server (public endpoint)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ publicEndpoint: true });
  });
  after(() => h.servers.close());

  it('starts a new trace and links the caller\'s context instead of continuing it', async () => {
    await (await fetch(`${h.servers.mainUrl}/pods`, { headers: { traceparent: TRACEPARENT } })).arrayBuffer();
    const [span] = h.exporter.getFinishedSpans();
    assert.notEqual(span.spanContext().traceId, TRACE_ID);
    assert.equal(span.parentSpanContext, undefined);
    assert.equal(span.links.length, 1);
    assert.equal(span.links[0].context.traceId, TRACE_ID);
    assert.equal(span.links[0].context.spanId, PARENT_SPAN_ID);
  });
});

describe('startKubeletHttpServers', () => {
  it('binds loopback only and says so when the address is not loopback', async () => {
    const h = await startHarness({ address: '0.0.0.0' });
    try {
      assert.match(h.servers.mainUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(h.log.lines.filter((l) => l.includes('Binding to loopback only')).length, 1);
      assert.ok(h.log.lines.some((l) => l.includes('field="address" address="0.0.0.0" using="127.0.0.1"')));
    } finally {
      await h.servers.close();
    }
  });

  it('refuses a main port in use with an error naming the field and the flag', async () => {
    const busy = await startHarness();
    const port = Number(new URL(busy.servers.mainUrl).port);
    try {
      await assert.rejects(
        startKubeletHttpServers({ address: '127.0.0.1', port, readOnlyPort: 0, healthzBindAddress: '127.0.0.1', healthzPort: 0 }, { main: newHealthzHandler(), readOnly: newHealthzHandler, healthz: newHealthzHandler }, recordingLog()),
        (err: unknown) => err instanceof KubeletListenError && err.message === `"Failed to listen and serve" err="listen tcp 127.0.0.1:${port}: bind: address already in use" (port / --port is ${port}; choose a free port)`,
      );
    } finally {
      await busy.servers.close();
    }
  });

  it('logs a healthz port in use and keeps serving the main server, as the kubelet retries it', async () => {
    const busy = await startHarness();
    const port = Number(new URL(busy.servers.mainUrl).port);
    const log = recordingLog();
    const servers = await startKubeletHttpServers({ address: '127.0.0.1', port: 0, readOnlyPort: 0, healthzBindAddress: '127.0.0.1', healthzPort: port }, { main: newHealthzHandler(), readOnly: newHealthzHandler, healthz: newHealthzHandler }, log);
    try {
      assert.ok(log.lines.some((l) => l.startsWith('E "Failed to start healthz server"') && l.includes('bind: address already in use') && l.includes('healthzPort / --healthz-port')));
      assert.equal((await fetch(`${servers.mainUrl}/healthz`)).status, 200);
    } finally {
      await servers.close();
      await busy.servers.close();
    }
  });
});
