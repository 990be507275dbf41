import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { freePort } from '../helpers/free-port';
import { isProcessAlive, runSimulatedNode } from '../helpers/simulated-node';
import type { SimulatedNodeRun } from '../helpers/simulated-node';
import { eventually } from '../helpers/eventually';

const OTELRESTFUL_SCOPE = 'go.opentelemetry.io/contrib/instrumentation/github.com/emicklei/go-restful/otelrestful';
const TRACE_ID = 'a3ce929d0e0e47364bf92f3577b34da6';
const PARENT_SPAN_ID = '0e0e4736a3ce929d';

interface Observed {
  healthz: string;
  healthzVerbose: string;
  healthzServer: string;
  pods: { items: Array<{ metadata: { name: string }; status: { phase: string; containerStatuses?: Array<{ containerID?: string }> } }> };
  metrics: string;
}

describe('kubelet-sim HTTP endpoints on a simulated node', () => {
  let run: SimulatedNodeRun;
  let observed: Observed;
  let ports: { main: number; readOnly: number; healthz: number };
  let spans: FlatSpan[];

  before(async () => {
    ports = { main: await freePort(), readOnly: await freePort(), healthz: await freePort() };
    const main = `http://127.0.0.1:${ports.main}`;
    run = await runSimulatedNode({
      kubeletSamplingRatePerMillion: 1_000_000,
      durationMs: 10_000,
      extraKubeletArgs: ['--port', String(ports.main), '--read-only-port', String(ports.readOnly), '--healthz-port', String(ports.healthz)],
      whileRunning: async () => {
        const healthz = await eventually('/healthz', 8_000, async () => {
          const res = await fetch(`${main}/healthz`);
          return res.status === 200 ? res.text() : undefined;
        });
        const pods = await eventually('running pods on /pods', 8_000, async () => {
          const list = (await (await fetch(`${main}/pods`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` } })).json()) as Observed['pods'];
          return list.items.some((p) => p.status.phase === 'Running') ? list : undefined;
        });
        const metrics = await eventually('run_podsandbox in /metrics', 5_000, async () => {
          const text = await (await fetch(`${main}/metrics`)).text();
          return /^kubelet_runtime_operations_total\{operation_type="run_podsandbox"\} [1-9]/m.test(text) ? text : undefined;
        });
        await (await fetch(`http://127.0.0.1:${ports.readOnly}/pods`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01` } })).arrayBuffer();
        observed = {
          healthz,
          healthzVerbose: await (await fetch(`${main}/healthz?verbose`)).text(),
          healthzServer: await (await fetch(`http://127.0.0.1:${ports.healthz}/healthz?verbose`)).text(),
          pods,
          metrics,
        };
      },
    });
    spans = run.sink.index.spans();
  });
  after(async () => run?.cleanup());

  it('runs both processes to a clean exit', () => {
    assert.equal(run.kubeletExit, 0, readFileSync(run.logPath, 'utf8'));
    for (const pid of run.pids) assert.equal(isProcessAlive(pid), false, `process ${pid} still running`);
    assert.match(readFileSync(run.logPath, 'utf8'), /Binding to loopback only, not to the configured address field="address" address="0.0.0.0"/);
  });

  it('answers /healthz on the main server with ping, log and syncloop, and on the healthz server with ping only', () => {
    assert.equal(observed.healthz, 'ok');
    assert.equal(observed.healthzVerbose, '[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
    assert.equal(observed.healthzServer, '[+]ping ok\nhealthz check passed\n');
  });

  it('lists the static pods on /pods with phases and CRI-O container IDs', () => {
    const names = observed.pods.items.map((p) => p.metadata.name).sort();
    assert.deepEqual(names, ['flaky-worker-e2e-node', 'node-exporter-e2e-node', 'web-e2e-node']);
    const running = observed.pods.items.find((p) => p.status.phase === 'Running');
    assert.match(running?.status.containerStatuses?.[0]?.containerID ?? '', /^cri-o:\/\/[0-9a-f]+$/);
  });

  it('exposes the kubelet metrics with counts from real CRI calls', () => {
    for (const name of ['kubelet_runtime_operations_duration_seconds_bucket', 'kubelet_pleg_relist_duration_seconds_count', 'kubelet_pleg_relist_interval_seconds_count', 'kubelet_pod_worker_duration_seconds_count', 'kubelet_pod_start_duration_seconds_count', 'kubelet_pleg_last_seen_seconds']) {
      assert.match(observed.metrics, new RegExp(`^${name}`, 'm'), name);
    }
    assert.match(observed.metrics, /^kubelet_runtime_operations_total\{operation_type="list_podsandbox"\} [1-9]/m);
    assert.match(observed.metrics, /^kubelet_running_pods [1-9]/m);
    assert.match(observed.metrics, /^kubelet_running_containers\{container_state="running"\} [1-9]/m);
    assert.match(observed.metrics, /^kubelet_pod_worker_duration_seconds_count\{operation_type="create"\} [1-9]/m);
  });

  it('traces /pods as a kubelet SERVER span that continues the caller\'s trace', () => {
    const pods = spans.filter((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '/pods' && s.traceId === TRACE_ID);
    assert.ok(pods.length >= 1, `no /pods span in the caller's trace; kubelet SERVER spans: ${spans.filter((s) => s.kind === 'SERVER' && s.service === 'kubelet').map((s) => s.name).join(',')}`);
    const span = pods[0];
    assert.equal(span.parentSpanId, PARENT_SPAN_ID);
    assert.equal(span.scope, OTELRESTFUL_SCOPE);
    assert.equal(span.scopeVersion, '0.44.0');
    assert.equal(span.attributes['http.route'], '/pods');
    assert.equal(span.attributes['http.method'], 'GET');
    assert.equal(span.attributes['net.host.name'], 'kubelet');
    assert.equal(span.attributes['net.host.port'], ports.main);
    assert.equal(span.attributes['http.status_code'], 200);
    assert.equal(span.status.code, 'UNSET');
  });

  it('starts a new trace on the read-only server, linking the caller', () => {
    const ro = spans.find((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '/pods' && s.attributes['net.host.port'] === ports.readOnly);
    assert.ok(ro, 'no read-only /pods span');
    assert.equal(ro.parentSpanId, '');
    assert.notEqual(ro.traceId, TRACE_ID);
    assert.equal(ro.links[0]?.traceId, TRACE_ID);
    assert.equal(ro.links[0]?.spanId, PARENT_SPAN_ID);
  });

  it('traces /metrics and /healthz (Handle paths) with unnamed spans and no http.route', () => {
    const unnamed = spans.filter((s) => s.service === 'kubelet' && s.kind === 'SERVER' && s.name === '');
    assert.ok(unnamed.length >= 2, `expected unnamed SERVER spans for /healthz and /metrics, got ${unnamed.length}`);
    assert.ok(unnamed.every((s) => s.attributes['http.route'] === undefined && s.scope === OTELRESTFUL_SCOPE));
  });
});
