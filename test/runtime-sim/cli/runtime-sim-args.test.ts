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

  it('leaves tracing off with an endpoint alone, as CRI-O does, and says so', () => {
    const args = parseRuntimeSimArgs(['--tracing-endpoint', '127.0.0.1:4317'], {});
    assert.equal(args.enableTracing, false);
    assert.match(args.notes.join('\n'), /tracing is off: --tracing-endpoint and --tracing-sampling-rate-per-million take effect only with --enable-tracing/);
    const on = parseRuntimeSimArgs(['--enable-tracing', '--tracing-endpoint', '127.0.0.1:4317'], {});
    assert.deepEqual([on.enableTracing, on.tracingSamplingRatePerMillion, on.notes], [true, 0, []]);
  });

  it('refuses CRI-O tracing flags for containerd, naming its own way', () => {
    assert.throws(
      () => parseRuntimeSimArgs(['--persona', 'containerd', '--tracing-endpoint', '127.0.0.1:4317'], {}),
      (err: Error) => err instanceof FlagError && /^--tracing-endpoint is a CRI-O flag; containerd 2\.1 reads tracing from the environment: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=/.test(err.message),
    );
    assert.throws(
      () => parseRuntimeSimArgs(['--persona', 'containerd', '--persona-version', '1.6', '--tracing-sampling-rate-per-million', '5'], {}),
      (err: Error) => err instanceof FlagError && /containerd 1\.6 reads tracing from config\.toml: \[plugins\."io\.containerd\.tracing\.processor\.v1\.otlp"\]/.test(err.message),
    );
  });

  it('loads --image-catalog and names the file and field of a bad one', () => {
    const good = file('catalog.yaml', 'images:\n  - tags: [example.com/app:1]\n    sizeBytes: 1000\n    config: {cmd: [app]}\n');
    assert.equal(parseRuntimeSimArgs(['--image-catalog', good], {}).imageCatalog?.size, 1);
    const bad = file('bad-catalog.yaml', 'images:\n  - tags: [example.com/app:1]\n    sizeBytes: -1\n');
    assert.throws(() => parseRuntimeSimArgs(['--image-catalog', bad], {}), (err: Error) => err instanceof FlagError && /^--image-catalog: .*bad-catalog\.yaml: images\[0\]\.sizeBytes must be a positive integer/.test(err.message));
    assert.throws(() => parseRuntimeSimArgs(['--image-catalog', '/nonexistent.yaml'], {}), /--image-catalog: cannot read image catalog \/nonexistent\.yaml: ENOENT/);
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

describe('parseRuntimeSimArgs --nodes', () => {
  it('serves one runtime without --nodes', () => {
    assert.equal(parseRuntimeSimArgs(['--listen', 'unix:///tmp/a.sock'], {}).fleet, undefined);
  });

  it('names the nodes as kubelet-sim does and needs {node} in the listen address', () => {
    assert.deepEqual(parseRuntimeSimArgs(['--nodes', '3', '--listen', 'unix:///tmp/{node}.sock'], {}).fleet, { nodeNames: ['node-0001', 'node-0002', 'node-0003'], firstNodeNumber: 1 });
    assert.deepEqual(parseRuntimeSimArgs(['--nodes', '2', '--first-node-number', '9', '--listen', 'unix:///tmp/{node}.sock'], {}).fleet, { nodeNames: ['node-0009', 'node-0010'], firstNodeNumber: 9 });
    assert.throws(() => parseRuntimeSimArgs(['--first-node-number', '9'], {}), { message: '--first-node-number needs --nodes: give --nodes N to serve N nodes numbered from it' });
    assert.throws(() => parseRuntimeSimArgs(['--nodes', '3', '--listen', 'unix:///tmp/a.sock'], {}), (err: unknown) => err instanceof FlagError && err.message.startsWith('--listen "unix:///tmp/a.sock" must contain {node} with --nodes'));
    assert.throws(() => parseRuntimeSimArgs(['--nodes', '3'], {}), /the default listen address \(give --listen\) "unix:\/\/\/var\/run\/crio\/crio.sock" must contain \{node\}/);
  });

  it('refuses a fixed --stream-port with --nodes (each node takes a free one)', () => {
    assert.throws(() => parseRuntimeSimArgs(['--nodes', '2', '--listen', 'unix:///tmp/{node}.sock', '--stream-port', '10010'], {}), /--stream-port 10010 cannot be shared by --nodes/);
  });
});
