// Trace tree and summary table rendering on handcrafted spans.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  findMostInterestingTrace,
  findTraces,
  renderSpanSummaryTable,
  renderTraceTree,
  traceHasError,
} from '../../trace-sink/src/index';
import { flatSpan } from './otlp-fixtures';

const RUN = 'runtime.v1.RuntimeService/RunPodSandbox';
const CREATE = 'runtime.v1.RuntimeService/CreateContainer';

const syncPod = [
  // Given out of order on purpose: siblings must be sorted by start time.
  flatSpan({ spanId: '03', parentSpanId: '01', name: CREATE, service: 'kubelet', kind: 'CLIENT', startMs: 200, durationMs: 50.25 }),
  flatSpan({ spanId: '01', name: 'syncPod', service: 'kubelet', startMs: 0, durationMs: 812.3 }),
  flatSpan({ spanId: '02', parentSpanId: '01', name: RUN, service: 'kubelet', kind: 'CLIENT', startMs: 10, durationMs: 101.2 }),
  flatSpan({ spanId: '12', parentSpanId: '02', name: RUN, service: 'crio', kind: 'SERVER', startMs: 10.5, durationMs: 100.1 }),
  flatSpan({ spanId: '13', parentSpanId: '03', name: CREATE, service: 'crio', kind: 'SERVER', startMs: 201, durationMs: 48, error: 'image not found' }),
  flatSpan({ spanId: '99', parentSpanId: '77', name: 'PLEG relist', service: 'kubelet', startMs: 900, durationMs: 0.04 }),
];

describe('renderTraceTree', () => {
  it('renders an indented tree ordered by start time with orphans and errors marked', () => {
    assert.equal(
      renderTraceTree(syncPod),
      [
        'syncPod [kubelet] INTERNAL 812.3ms',
        '├─ runtime.v1.RuntimeService/RunPodSandbox [kubelet] CLIENT 101.2ms',
        '│  └─ runtime.v1.RuntimeService/RunPodSandbox [crio] SERVER 100.1ms',
        '└─ runtime.v1.RuntimeService/CreateContainer [kubelet] CLIENT 50.3ms',
        '   └─ runtime.v1.RuntimeService/CreateContainer [crio] SERVER 48.0ms ERROR: image not found',
        'PLEG relist [kubelet] INTERNAL 0.0ms (parent not received)',
      ].join('\n'),
    );
  });

  it('renders nothing for no spans', () => {
    assert.equal(renderTraceTree([]), '');
  });
});

describe('renderSpanSummaryTable', () => {
  it('aggregates by service and span name with aligned columns', () => {
    const extra = [10, 20, 30, 40].map((ms, i) =>
      flatSpan({ spanId: `2${i}`, name: RUN, service: 'crio', kind: 'SERVER', startMs: 1000 + ms, durationMs: ms }),
    );
    assert.equal(
      renderSpanSummaryTable([...syncPod, ...extra]),
      [
        'SERVICE  SPAN                                       COUNT  ERRORS  P50 ms  P99 ms',
        'crio     runtime.v1.RuntimeService/CreateContainer      1       1    48.0    48.0',
        'crio     runtime.v1.RuntimeService/RunPodSandbox        5       0    30.0   100.1',
        'kubelet  PLEG relist                                    1       0     0.0     0.0',
        'kubelet  runtime.v1.RuntimeService/CreateContainer      1       0    50.3    50.3',
        'kubelet  runtime.v1.RuntimeService/RunPodSandbox        1       0   101.2   101.2',
        'kubelet  syncPod                                        1       0   812.3   812.3',
      ].join('\n'),
    );
  });

  it('says so when there are no spans', () => {
    assert.equal(renderSpanSummaryTable([]), '(no spans)');
  });
});

describe('findTraces / findMostInterestingTrace', () => {
  const other = 'e'.repeat(32);
  const lonely = flatSpan({ traceId: other, spanId: '01', name: 'housekeeping', service: 'kubelet', startMs: 5, durationMs: 1 });

  it('filters traces from a span list', () => {
    const withErrors = findTraces([lonely, ...syncPod], traceHasError);
    assert.deepEqual(withErrors.map((t) => t.spans.length), [6]);
  });

  it('prefers the trace with errors crossing the most services', () => {
    assert.equal(findMostInterestingTrace([lonely, ...syncPod])?.spans.length, 6);
    assert.equal(findMostInterestingTrace([lonely, ...syncPod], (t) => t.traceId === other)?.traceId, other);
    assert.equal(findMostInterestingTrace([]), undefined);
  });
});
