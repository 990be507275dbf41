import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickReportTraces } from '../../../../trace-sink/src/views/report/pick-report-traces';
import { buildReportModel } from '../../../../trace-sink/src/views/report/report-model';
import { renderReportHtml } from '../../../../trace-sink/src/views/report/render-report-html';
import { summariseStartups } from '../../../../trace-sink/src/views/startup/startup-stats';
import type { TraceSummary } from '../../../../trace-sink/src/views/trace-summary';
import { cri, span, syncPod, T1 } from '../view-spans';

describe('renderReportHtml', () => {
  it('embeds the model so that no span text can end the script or run as HTML, and loads nothing from the network', () => {
    const evil = span({ traceId: T1, spanId: 'e1', parentSpanId: 'a1', name: '</script><script>alert(1)</script>', service: 'kubelet', startMs: 1, durationMs: 1, attributes: { note: '<!-- x' } });
    const model = buildReportModel({ traces: [{ traceId: T1, spans: [syncPod(T1, 'a1', 'default/web', 0, 10), cri(T1, 'b1', 'a1', 'RunPodSandbox', 1, 5), evil] }], startup: summariseStartups([]), source: 'x.jsonl', omittedTraces: 0 });
    const html = renderReportHtml(model);
    assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the page\'s own two script elements close');
    assert.doesNotMatch(html, /<!-- x/);
    assert.doesNotMatch(html, /\bsrc=|href=|@import|url\(/, 'no external resources');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    const data = JSON.parse(/id="report-data">(.*?)<\/script>/s.exec(html)![1]!) as typeof model;
    assert.equal(data.traces[0]!.spans[2]!.name, '</script><script>alert(1)</script>');
    assert.deepEqual(data.traces[0]!.spans.map((s) => s.depth), [0, 1, 1]);
  });
});

describe('pickReportTraces', () => {
  const t = (traceId: string, rootName: string, durationMs: number, errorCount = 0): TraceSummary => ({ traceId, rootName, rootService: 'kubelet', hasRoot: true, services: [], node: undefined, pod: undefined, startMs: 0, endMs: durationMs, durationMs, spanCount: 1, errorCount, seenWatchedNames: [] });
  it('takes startup traces, then errors, then syncPods, then the longest, up to the limit', () => {
    const all = [t('bg-long', 'ListContainers', 900), t('err', 'StopContainer', 5, 1), t('sync2', 'syncPod', 50), t('start', 'syncPod', 10), t('bg', 'Version', 1)];
    assert.deepEqual(pickReportTraces(all, ['start'], 4).map((x) => x.traceId), ['start', 'err', 'sync2', 'bg-long']);
  });
});
