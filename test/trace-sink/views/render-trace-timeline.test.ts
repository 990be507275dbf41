import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTraceTimeline, timeBar } from '../../../trace-sink/src/views/render-trace-timeline';
import { shouldColour } from '../../../trace-sink/src/views/service-colours';
import { cri, span, syncPod, T1 } from './view-spans';

const trace = [
  syncPod(T1, 'a1', 'default/web', 0, 100),
  cri(T1, 'b1', 'a1', 'RunPodSandbox', 0, 50),
  span({ traceId: T1, spanId: 'c1', parentSpanId: 'b1', name: 'runtime.v1.RuntimeService/RunPodSandbox', service: 'containerd', kind: 'SERVER', startMs: 1, durationMs: 48, attributes: { 'sandbox.id': 'abc' } }),
  cri(T1, 'b2', 'a1', 'CreateContainer', 50, 50, 'no such image'),
];

describe('timeBar', () => {
  it('fills the span\'s share of the trace, at least one cell', () => {
    assert.equal(timeBar(0, 100, 100, 10), '██████████');
    assert.equal(timeBar(50, 50, 100, 10), '     █████');
    assert.equal(timeBar(99.9, 0.01, 100, 10), '         █');
    assert.equal(timeBar(0, 0, 100, 4), '█   ');
  });
});

describe('renderTraceTimeline', () => {
  it('draws a tree with bars scaled to the trace, offsets, status and key attributes (plain without a TTY)', () => {
    assert.equal(
      renderTraceTimeline(trace, { colour: false, allAttributes: false, barWidth: 10 }),
      [
        '│██████████│  +0.0ms syncPod [kubelet] INTERNAL 100.0ms k8s.pod=default/web k8s.pod.update_type=create',
        '│█████     │  +0.0ms ├─ runtime.v1.RuntimeService/RunPodSandbox [kubelet] CLIENT 50.0ms',
        '│█████     │  +1.0ms │  └─ runtime.v1.RuntimeService/RunPodSandbox [containerd] SERVER 48.0ms sandbox.id=abc',
        '│     █████│ +50.0ms └─ runtime.v1.RuntimeService/CreateContainer [kubelet] CLIENT 50.0ms ERROR: no such image',
      ].join('\n'),
    );
  });

  it('colours services and errors with ANSI when asked', () => {
    const out = renderTraceTimeline(trace, { colour: true, allAttributes: false });
    assert.match(out, /\u001b\[36m\[containerd\]\u001b\[0m/);
    assert.match(out, /\u001b\[35m\[kubelet\]\u001b\[0m/);
    assert.match(out, /\u001b\[31mERROR: no such image\u001b\[0m/);
  });

  it('lists every attribute under its span with --attributes', () => {
    const out = renderTraceTimeline(trace, { colour: false, allAttributes: true, barWidth: 10 }).split('\n');
    assert.ok(out.some((l) => /^\s+│\s+k8s\.namespace\.name=default$/.test(l) || /^\s+k8s\.namespace\.name=default$/.test(l)), out.join('\n'));
    assert.ok(out.some((l) => l.trim() === 'k8s.pod.uid=uid-web'));
  });
});

describe('shouldColour', () => {
  it('colours a TTY unless NO_COLOR, and a pipe with FORCE_COLOR', () => {
    assert.equal(shouldColour({ isTTY: true }, {}), true);
    assert.equal(shouldColour({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(shouldColour({ isTTY: false }, {}), false);
    assert.equal(shouldColour({}, { FORCE_COLOR: '1' }), true);
  });
});

describe('renderTraceTimeline on a big trace', () => {
  it('draws 200,000 spans without overflowing the stack', () => {
    const spans = [syncPod(T1, 'root', 'default/big', 0, 1000)];
    for (let i = 0; i < 200_000; i++) spans.push(cri(T1, `c${i}`, 'root', 'ListContainers', i / 200, 0.001));
    const out = renderTraceTimeline(spans, { colour: false, allAttributes: false });
    assert.equal(out.split('\n').length, 200_001);
  });
});
