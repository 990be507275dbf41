/**
 * configs/otel-collector*.yaml are configs for a real OpenTelemetry Collector. Each names the release it
 * targets on its first line; this test parses each and checks that every component it names exists in that
 * release's build (test/fixtures/otelcol-components/, derived from the release's builder manifest and each
 * component's metadata.yaml), under its current name rather than a deprecated alias, with only settings the
 * component's Config has; that pipelines only use components defined in the file; and that ${env:...}
 * placeholders use the env provider's syntax (confmap/provider/envprovider, NAME or NAME:-default).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/simulated-node';

const CONFIGS = join(REPO_ROOT, 'configs');
const FIXTURES = join(REPO_ROOT, 'test/fixtures/otelcol-components');
const KINDS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors'] as const;
type Kind = (typeof KINDS)[number];

interface ComponentEntry {
  module: string;
  type: string | null;
  deprecatedType?: string;
  settings?: string[];
}
type Release = { distribution: string; release: string } & Record<Kind, ComponentEntry[]>;

/** Problems found in one config, each naming the place and the fix. */
function checkConfig(text: string): string[] {
  const target = /^# Target: OpenTelemetry Collector (\S+) (v\d+\.\d+\.\d+)/.exec(text);
  if (!target) return ['first line must be "# Target: OpenTelemetry Collector <distribution> <vX.Y.Z>"'];
  const release = JSON.parse(readFileSync(join(FIXTURES, `${target[1]}-${target[2]}.json`), 'utf8')) as Release;
  const problems: string[] = [];
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    if (!/^env:[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?$/.test(m[1]!)) problems.push(`placeholder \${${m[1]}} is not \${env:NAME} or \${env:NAME:-default}`);
  }
  const doc = parse(text) as Record<string, unknown>;
  const defined: Record<Kind, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set(), extensions: new Set(), connectors: new Set() };
  for (const kind of KINDS) {
    const section = (doc[kind] ?? {}) as Record<string, unknown>;
    for (const [id, config] of Object.entries(section)) {
      defined[kind].add(id);
      const type = id.split('/')[0]!;
      const entry = release[kind].find((c) => c.type === type);
      const deprecated = release[kind].find((c) => c.deprecatedType === type);
      if (deprecated) {
        problems.push(`${kind}.${id}: "${type}" is the deprecated name in ${release.release}; use "${deprecated.type}"`);
      } else if (!entry) {
        const known = release[kind].map((c) => c.type).filter((t): t is string => t !== null);
        problems.push(`${kind}.${id}: no ${kind.slice(0, -1)} "${type}" in ${release.distribution} ${release.release} (known: ${known.join(', ')})`);
      } else if (entry.settings && config !== null && typeof config === 'object') {
        for (const key of Object.keys(config)) if (!entry.settings.includes(key)) problems.push(`${kind}.${id}.${key}: not a setting of ${type} (${entry.settings.join(', ')})`);
      }
    }
  }
  const service = (doc.service ?? {}) as { pipelines?: Record<string, Record<string, string[]>>; extensions?: string[] };
  for (const ext of service.extensions ?? []) if (!defined.extensions.has(ext)) problems.push(`service.extensions: ${ext} is not defined under extensions`);
  const pipelines = Object.entries(service.pipelines ?? {});
  if (pipelines.length === 0) problems.push('service.pipelines: none defined');
  for (const [name, pipeline] of pipelines) {
    if (!['traces', 'metrics', 'logs'].includes(name.split('/')[0]!)) problems.push(`service.pipelines.${name}: not a traces, metrics or logs pipeline`);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of pipeline[kind] ?? []) if (!defined[kind].has(id) && !defined.connectors.has(id)) problems.push(`service.pipelines.${name}.${kind}: ${id} is not defined under ${kind}`);
    }
    if ((pipeline.receivers ?? []).length === 0 || (pipeline.exporters ?? []).length === 0) problems.push(`service.pipelines.${name}: needs at least one receiver and one exporter`);
  }
  return problems;
}

describe('OpenTelemetry Collector configs in configs/', () => {
  const files = readdirSync(CONFIGS).filter((f) => /^otel-collector.*\.yaml$/.test(f));

  it('has the single-node config and the agent → gateway pair', () => {
    assert.deepEqual(files.sort(), ['otel-collector-agent.yaml', 'otel-collector-gateway.yaml', 'otel-collector.yaml']);
  });

  for (const file of files) {
    it(`${file} parses and names only components of the Collector release it targets`, () => {
      assert.deepEqual(checkConfig(readFileSync(join(CONFIGS, file), 'utf8')), []);
    });
  }

  it('otel-collector.yaml receives OTLP/gRPC on 4317 and exports to Jaeger over OTLP/gRPC and to debug, batched', () => {
    const doc = parse(readFileSync(join(CONFIGS, 'otel-collector.yaml'), 'utf8')) as { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } }; service: { pipelines: { traces: Record<string, string[]> } } };
    assert.match(doc.receivers.otlp.protocols.grpc.endpoint, /:4317$/);
    assert.deepEqual(doc.service.pipelines.traces, { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['debug', 'otlp_grpc/jaeger'] });
  });

  it('the agent forwards to the address the gateway listens on', () => {
    const agent = readFileSync(join(CONFIGS, 'otel-collector-agent.yaml'), 'utf8');
    const gateway = readFileSync(join(CONFIGS, 'otel-collector-gateway.yaml'), 'utf8');
    const to = /endpoint: \$\{env:OTEL_GATEWAY_ENDPOINT:-([^}]+)\}/.exec(agent)![1];
    const listen = /endpoint: \$\{env:OTEL_GATEWAY_LISTEN:-([^}]+)\}/.exec(gateway)![1];
    assert.equal(to, listen);
  });

  describe('the check itself', () => {
    const header = '# Target: OpenTelemetry Collector otelcol v0.159.0\n';
    it('refuses a component the release does not have, a deprecated name, an unknown setting and an undefined pipeline member', () => {
      const problems = checkConfig(
        `${header}receivers:\n  otlp:\n    protocols: {}\n  kafka/x: {}\n  filelog: {}\nexporters:\n  otlp:\n    endpoint: a:1\n  debug:\n    verbosty: basic\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug, jaeger]\n`,
      );
      assert.deepEqual(problems, [
        'receivers.kafka/x: no receiver "kafka" in otelcol v0.159.0 (known: nop, otlp)',
        'receivers.filelog: no receiver "filelog" in otelcol v0.159.0 (known: nop, otlp)',
        'exporters.otlp: "otlp" is the deprecated name in v0.159.0; use "otlp_grpc"',
        'exporters.debug.verbosty: not a setting of debug (verbosity, sampling_initial, sampling_thereafter, use_internal_logger, output_paths, sending_queue)',
        'service.pipelines.traces.exporters: jaeger is not defined under exporters',
      ]);
    });
    it('refuses a file with no target line and a malformed placeholder', () => {
      assert.deepEqual(checkConfig('receivers: {}\n'), ['first line must be "# Target: OpenTelemetry Collector <distribution> <vX.Y.Z>"']);
      assert.match(checkConfig(`${header}exporters:\n  debug:\n    verbosity: \${DEBUG_LEVEL}\n`)[0]!, /placeholder \$\{DEBUG_LEVEL\} is not/);
    });
  });
});
