import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FlagError, parseRuntimeSimArgs } from '../../../runtime-sim/src/cli/runtime-sim-args';

const dir = mkdtempSync(join(tmpdir(), 'runtime-sim-args-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('parseRuntimeSimArgs', () => {
  it('defaults to the crio persona on CRI-O\'s socket with tracing off', () => {
    const args = parseRuntimeSimArgs([], {});
    assert.deepEqual({ persona: args.persona, listen: args.listen, enableTracing: args.enableTracing }, { persona: 'crio', listen: 'unix:///var/run/crio/crio.sock', enableTracing: false });
  });

  it('uses containerd\'s socket for the containerd persona', () => {
    assert.equal(parseRuntimeSimArgs(['--persona', 'containerd'], {}).listen, 'unix:///run/containerd/containerd.sock');
  });

  it('turns tracing on when an endpoint or rate is given', () => {
    const args = parseRuntimeSimArgs(['--tracing-endpoint', '127.0.0.1:4317'], {});
    assert.equal(args.enableTracing, true);
    assert.equal(args.tracingSamplingRatePerMillion, 0);
  });

  it('reads CRI-O\'s CONTAINER_* environment variables', () => {
    const args = parseRuntimeSimArgs([], { CONTAINER_ENABLE_TRACING: 'true', CONTAINER_TRACING_ENDPOINT: '10.0.0.1:4317', CONTAINER_TRACING_SAMPLING_RATE_PER_MILLION: '5000' });
    assert.deepEqual([args.enableTracing, args.tracingEndpoint, args.tracingSamplingRatePerMillion], [true, '10.0.0.1:4317', 5000]);
  });

  it('reads crio.conf, with flags winning over the file', () => {
    const conf = file('crio.conf', '[crio.api]\nlisten = "/tmp/x.sock"\n[crio.tracing]\nenable_tracing = true\ntracing_endpoint = "127.0.0.1:9999"\ntracing_sampling_rate_per_million = 100\n');
    const fromFile = parseRuntimeSimArgs(['--config', conf], {});
    assert.deepEqual([fromFile.listen, fromFile.enableTracing, fromFile.tracingEndpoint, fromFile.tracingSamplingRatePerMillion], ['unix:///tmp/x.sock', true, '127.0.0.1:9999', 100]);
    const overridden = parseRuntimeSimArgs(['--config', conf, '--tracing-sampling-rate-per-million', '0', '--listen', 'unix:///tmp/y.sock'], {});
    assert.deepEqual([overridden.listen, overridden.tracingSamplingRatePerMillion], ['unix:///tmp/y.sock', 0]);
  });

  it('records whether the listen address came from --listen, the config file or the persona default', () => {
    const conf = file('listen.conf', '[crio.api]\nlisten = "/tmp/x.sock"\n');
    assert.equal(parseRuntimeSimArgs([], {}).listenFrom, 'default');
    assert.equal(parseRuntimeSimArgs(['--config', conf], {}).listenFrom, 'config');
    assert.equal(parseRuntimeSimArgs(['--config', conf, '--listen', 'unix:///tmp/y.sock'], {}).listenFrom, 'flag');
  });

  it('reads containerd config.toml\'s [grpc] address', () => {
    const conf = file('config.toml', 'version = 3\n[grpc]\naddress = "/tmp/containerd.sock"\n');
    assert.equal(parseRuntimeSimArgs(['--persona', 'containerd', '--config', conf], {}).listen, 'unix:///tmp/containerd.sock');
  });

  it('names the file and key of a wrongly typed config value', () => {
    const conf = file('bad.conf', '[crio.tracing]\nenable_tracing = "yes"\n');
    assert.throws(() => parseRuntimeSimArgs(['--config', conf], {}), (err: Error) => err instanceof FlagError && /bad\.conf: \[crio\.tracing\] enable_tracing: expected a boolean/.test(err.message));
  });

  it('rejects a sampling rate outside 0..1000000 naming the flag', () => {
    assert.throws(() => parseRuntimeSimArgs(['--tracing-sampling-rate-per-million', '-1'], {}), /--tracing-sampling-rate-per-million: must be an integer from 0 to 1000000/);
  });

  it('rejects a listen address that is not a unix socket', () => {
    assert.throws(() => parseRuntimeSimArgs(['--listen', '127.0.0.1:1234'], {}), /--listen: must be a unix socket/);
  });

  it('rejects unknown flags', () => {
    assert.throws(() => parseRuntimeSimArgs(['--bogus'], {}), FlagError);
  });
});
