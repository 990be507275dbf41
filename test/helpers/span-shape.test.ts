import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { FlatSpan } from '../../trace-sink/src';
import { assertMatchesGolden, diffShapes, renderSpanShape, subtreeOf } from './span-shape';

const TRACE = 'a'.repeat(32);
const OTELGRPC = 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc';

function span(id: string, parent: string, name: string, startNs: bigint, extra: Partial<FlatSpan> = {}): FlatSpan {
  return {
    traceId: TRACE, spanId: id.padStart(16, '0'), parentSpanId: parent === '' ? '' : parent.padStart(16, '0'), name,
    service: 'kubelet', scope: OTELGRPC, scopeVersion: '0.60.0', kind: 'CLIENT',
    startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + 1000n), startTimeMs: Number(startNs / 1_000_000n), durationMs: 0.001,
    attributes: {}, resource: {}, events: [], links: [], status: { code: 'UNSET', message: '' }, traceState: '', flags: 1,
    ...extra,
  };
}

const root = span('1', '', 'syncPod', 100n, {
  kind: 'INTERNAL', scope: 'k8s.io/kubernetes/pkg/kubelet',
  attributes: { 'k8s.pod.uid': 'u-1', 'k8s.pod.update_type': 'create', 'k8s.namespace.name': 'default' },
});
const run = span('2', '1', 'runtime.v1.RuntimeService/RunPodSandbox', 200n, {
  attributes: { 'rpc.method': 'RunPodSandbox', 'rpc.grpc.status_code': 0 },
  events: [{ name: 'message', timeUnixNano: '201', attributes: { 'message.type': 'SENT', 'message.id': 1, 'message.uncompressed_size': 90 } }],
});
const server = span('3', '2', 'runtime.v1.RuntimeService/RunPodSandbox', 210n, { service: 'crio', kind: 'SERVER' });
const start = span('4', '1', 'runtime.v1.RuntimeService/StartContainer', 300n, { status: { code: 'ERROR', message: 'boom 1234' } });
const unrelated = span('5', '', 'Containers/GarbageCollect', 50n, { kind: 'INTERNAL', scope: 'k8s.io/kubernetes/pkg/kubelet/kuberuntime' });

describe('span-shape', () => {
  describe('renderSpanShape', () => {
    it('prints parentage by indentation, attribute keys sorted, values only for shape keys, events and status', () => {
      assert.equal(renderSpanShape([start, server, run, root]), [
        'kubelet syncPod INTERNAL scope=k8s.io/kubernetes/pkg/kubelet attrs={k8s.namespace.name, k8s.pod.uid, k8s.pod.update_type=create} status=UNSET',
        `  kubelet runtime.v1.RuntimeService/RunPodSandbox CLIENT scope=${OTELGRPC} attrs={rpc.grpc.status_code=0, rpc.method=RunPodSandbox} events=[message{message.id=1, message.type=SENT, message.uncompressed_size}] status=UNSET`,
        '    crio runtime.v1.RuntimeService/RunPodSandbox SERVER attrs={} status=UNSET',
        `  kubelet runtime.v1.RuntimeService/StartContainer CLIENT scope=${OTELGRPC} attrs={} status=ERROR`,
        '',
      ].join('\n'));
    });

    it('orders siblings by start time, not by input order', () => {
      const a = renderSpanShape([root, run, start]);
      const b = renderSpanShape([start, root, run]);
      assert.equal(a, b);
      assert.ok(a.indexOf('RunPodSandbox') < a.indexOf('StartContainer'));
    });

    it('gives the same text for siblings that start at the same nanosecond, whatever the input order', () => {
      const x = span('6', '1', 'runtime.v1.RuntimeService/ListContainers', 400n);
      const y = span('7', '1', 'runtime.v1.RuntimeService/ListPodSandbox', 400n);
      assert.equal(renderSpanShape([root, x, y]), renderSpanShape([y, root, x]));
    });

    it('marks a root whose parent is not among the spans, and omits the scope a child shares with its parent', () => {
      const text = renderSpanShape([server]);
      assert.equal(text, `crio runtime.v1.RuntimeService/RunPodSandbox SERVER scope=${OTELGRPC} parent=not-in-selection attrs={} status=UNSET\n`);
    });

    it('quotes shape values that are not plain words', () => {
      const s = span('8', '', 'x', 1n, { attributes: { 'rpc.method': 'has space', 'message.type': '' } });
      assert.match(renderSpanShape([s]), /attrs=\{message\.type="", rpc\.method="has space"\}/);
    });
  });

  describe('subtreeOf', () => {
    it('returns the root and its descendants only, whatever the input order', () => {
      const ids = subtreeOf([server, unrelated, start, run, root], root).map((s) => s.name).sort();
      assert.deepEqual(ids, [root.name, run.name, server.name, start.name].sort());
      assert.deepEqual(subtreeOf([server, run, root], run).map((s) => s.spanId), [server.spanId, run.spanId]);
    });
  });

  describe('diffShapes', () => {
    it('is empty for equal texts', () => {
      assert.equal(diffShapes('a\nb\n', 'a\nb\n'), '');
    });

    it('marks removed and added lines in a hunk with line numbers and context', () => {
      const expected = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8', 'l9', ''].join('\n');
      const actual = ['l1', 'l2', 'l3', 'l4', 'l5', 'X6', 'l7', 'l8', 'l9', 'l10', ''].join('\n');
      assert.equal(diffShapes(expected, actual), [
        '--- expected', '+++ actual',
        '@@ -3 +3 @@', ' l3', ' l4', ' l5', '-l6', '+X6', ' l7', ' l8', ' l9', '+l10',
      ].join('\n'));
    });

    it('splits distant changes into separate hunks', () => {
      const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
      const changed = lines.map((l, i) => (i === 1 || i === 18 ? `${l}!` : l));
      const diff = diffShapes(lines.join('\n'), changed.join('\n'));
      assert.equal(diff.split('\n').filter((l) => l.startsWith('@@')).length, 2);
    });
  });

  describe('assertMatchesGolden', () => {
    const dir = mkdtempSync(join(tmpdir(), 'span-shape-golden-'));
    const saved = process.env.UPDATE_GOLDEN;
    afterEach(() => {
      if (saved === undefined) delete process.env.UPDATE_GOLDEN;
      else process.env.UPDATE_GOLDEN = saved;
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('fails for a missing golden, naming the command that creates it', () => {
      delete process.env.UPDATE_GOLDEN;
      assert.throws(() => assertMatchesGolden('missing', 'x\n', { dir }), /does not exist yet[\s\S]*UPDATE_GOLDEN=1 /);
    });

    it('writes the golden with UPDATE_GOLDEN=1, then passes on equal text', () => {
      process.env.UPDATE_GOLDEN = '1';
      assertMatchesGolden('sub/written', 'a\nb', { dir });
      assert.equal(readFileSync(join(dir, 'sub', 'written.txt'), 'utf8'), 'a\nb\n');
      delete process.env.UPDATE_GOLDEN;
      assertMatchesGolden('sub/written', 'a\nb\n', { dir });
    });

    it('fails on a different shape with the diff and the regenerate command', () => {
      delete process.env.UPDATE_GOLDEN;
      writeFileSync(join(dir, 'differs.txt'), 'same\nold\n');
      assert.throws(() => assertMatchesGolden('differs', 'same\nnew\n', { dir }), (err: Error) => {
        assert.match(err.message, /-old\n\+new/);
        assert.match(err.message, /UPDATE_GOLDEN=1 node --test/);
        return true;
      });
    });

    it('rejects names that could escape the fixture directory', () => {
      assert.throws(() => assertMatchesGolden('../escape', 'x', { dir }), /golden name/);
    });
  });
});
