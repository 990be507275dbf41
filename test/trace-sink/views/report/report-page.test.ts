// The HTML report in a real headless browser (Debian's chromium driven by playwright-core): it loads from disk
// with no console errors, shows every span of the picked trace, and a click opens that span's details. The
// screenshot is kept in test-artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { findChromium, NO_CHROMIUM_MESSAGE } from '../../../helpers/headless-chromium';
import { REPO_ROOT } from '../../../helpers/simulated-node';

const BIN = join(REPO_ROOT, 'dist/trace-sink/src/traces-main.js');
const FIXTURE = join(REPO_ROOT, 'test/fixtures/trace-files/crio-node-run.jsonl');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const executablePath = findChromium();
const dir = mkdtempSync(join(tmpdir(), 'report-page-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('traces report page in headless chromium', { skip: executablePath === undefined ? NO_CHROMIUM_MESSAGE : false }, () => {
  it('loads offline with no console errors, shows every span and opens a span\'s details on click', async () => {
    const out = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [BIN, 'report', '-f', FIXTURE, '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const model = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(readFileSync(out, 'utf8'))![1]!) as {
      traces: { traceId: string; label: string; spans: { name: string }[] }[];
      startup: { pods: { pod: string; traceId: string }[] };
    };
    assert.equal(model.startup.pods.length, 3);
    const first = model.traces[0]!;
    assert.equal(first.label, 'syncPod [kubelet]');

    const browser = await chromium.launch({ executablePath: executablePath!, headless: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) requests.push(req.url());
      });
      await page.goto(pathToFileURL(out).href);
      const rows = page.locator('#waterfall .span-row[data-index]');
      assert.equal(await rows.count(), first.spans.length);
      assert.ok((await page.locator('#waterfall .span-row.on-critical-path').count()) > 0, 'critical path marked');
      assert.equal(await page.locator('#startup-chart .startup-row').count(), 3);

      await rows.nth(1).click();
      assert.equal(await page.locator('#details').isVisible(), true);
      assert.equal(await page.locator('#details h3').textContent(), first.spans[1]!.name);
      assert.match((await page.locator('#details').textContent()) ?? '', /Attributes.*rpc\.method.*Events.*message.*Links/s);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report-page.png') });

      // The picker and the startup chart's pod links switch the waterfall.
      await page.selectOption('#trace-picker', '1');
      assert.equal(await rows.count(), model.traces[1]!.spans.length);
      const pod = model.startup.pods[2]!;
      await page.locator('#startup-chart .pod-link', { hasText: pod.pod }).click();
      const index = model.traces.findIndex((t) => t.traceId === pod.traceId);
      assert.equal(await page.locator('#trace-picker').inputValue(), String(index));
      assert.equal(await rows.count(), model.traces[index]!.spans.length);

      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [], 'the page loads nothing from the network');
    } finally {
      await browser.close();
    }
  });
});
