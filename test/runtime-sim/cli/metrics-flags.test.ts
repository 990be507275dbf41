import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FlagError, parseRuntimeSimArgs } from '../../../runtime-sim/src/cli/runtime-sim-args';

const dir = mkdtempSync(join(tmpdir(), 'runtime-sim-metrics-flags-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const refused = (argv: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): void =>
  assert.throws(() => parseRuntimeSimArgs(argv, env), (err: Error) => err instanceof FlagError && pattern.test(err.message));

describe('runtime-sim metrics server settings, as each persona reads them', () => {
  it('serves none by default, as CRI-O (enable_metrics false) and containerd (empty [metrics] address)', () => {
    assert.equal(parseRuntimeSimArgs([], {}).metrics, undefined);
    assert.equal(parseRuntimeSimArgs(['--persona', 'containerd'], {}).metrics, undefined);
  });

  it('CRI-O: --enable-metrics serves /metrics on 127.0.0.1:9090; host and port from flags, env or crio.conf', () => {
    assert.deepEqual(parseRuntimeSimArgs(['--enable-metrics'], {}).metrics, { host: '127.0.0.1', port: 9090, path: '/metrics', from: '--enable-metrics' });
    assert.deepEqual(parseRuntimeSimArgs(['--enable-metrics', '--metrics-port', '0'], {}).metrics?.port, 0);
    const env = { CONTAINER_ENABLE_METRICS: 'true', CONTAINER_METRICS_PORT: '19090' };
    assert.deepEqual(parseRuntimeSimArgs([], env).metrics, { host: '127.0.0.1', port: 19090, path: '/metrics', from: 'CONTAINER_ENABLE_METRICS' });
    const conf = file('crio.conf', '[crio.metrics]\nenable_metrics = true\nmetrics_host = "127.0.0.2"\nmetrics_port = 29090\n');
    assert.deepEqual(parseRuntimeSimArgs(['--config', conf], {}).metrics, { host: '127.0.0.2', port: 29090, path: '/metrics', from: '[crio.metrics] enable_metrics in --config' });
    assert.equal(parseRuntimeSimArgs(['--config', conf, '--metrics-port', '1'], {}).metrics?.port, 1);
    assert.equal(parseRuntimeSimArgs(['--config', conf, '--no-enable-metrics'], {}).metrics, undefined);
  });

  it('containerd: [metrics] address in config.toml serves /v1/metrics', () => {
    const conf = file('config.toml', 'version = 3\n[metrics]\naddress = "127.0.0.1:1338"\n');
    assert.deepEqual(parseRuntimeSimArgs(['--persona', 'containerd', '--config', conf], {}).metrics, { host: '127.0.0.1', port: 1338, path: '/v1/metrics', from: '[metrics] address in --config' });
  });

  it('refuses a non-loopback address, a bad port, CRI-O flags for containerd, and metrics with --nodes, naming the setting', () => {
    refused(['--enable-metrics', '--metrics-host', '0.0.0.0'], /^invalid value "0\.0\.0\.0" for --metrics-host: runtime-sim serves metrics on loopback only; use 127\.0\.0\.1$/);
    refused(['--enable-metrics', '--metrics-port', '70000'], /^invalid value 70000 for --metrics-port: must be an integer from 0/);
    refused(['--enable-metrics'], /^invalid value "ninety" for CONTAINER_METRICS_PORT: must be an integer/, { CONTAINER_METRICS_PORT: 'ninety' });
    refused(['--persona', 'containerd', '--enable-metrics'], /^--enable-metrics is a CRI-O flag; containerd serves metrics when config\.toml sets \[metrics\] address/);
    const wide = file('wide.toml', 'version = 3\n[metrics]\naddress = "0.0.0.0:1338"\n');
    refused(['--persona', 'containerd', '--config', wide], /^invalid value "0\.0\.0\.0" for \[metrics\] address in --config: runtime-sim serves metrics on loopback only/);
    const noPort = file('noport.toml', 'version = 3\n[metrics]\naddress = "127.0.0.1"\n');
    refused(['--persona', 'containerd', '--config', noPort], /^invalid value "127\.0\.0\.1" for \[metrics\] address in --config: give host:port/);
    const typed = file('typed.conf', '[crio.metrics]\nmetrics_port = "9090"\n');
    refused(['--config', typed], /typed\.conf: \[crio\.metrics\] metrics_port: expected a number, got string "9090"/);
    refused(['--enable-metrics', '--nodes', '2', '--listen', 'unix:///tmp/{node}.sock'], /^--enable-metrics: runtime-sim serves metrics for one runtime only; leave it out with --nodes$/);
  });
});
