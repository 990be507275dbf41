import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FlagError, parseRuntimeSimArgs } from '../../../runtime-sim/src/cli/runtime-sim-args';
import { loadPersonaVersion, supportedPersonaVersions, UnknownPersonaVersionError } from '../../../runtime-sim/src/personas/persona-catalog';
import { PersonaSpecError, type CallStep } from '../../../runtime-sim/src/personas/persona-version-spec';
import { gogoContainerMetadata, gogoPodSandboxMetadata, renderAttributeValue, renderTemplate } from '../../../runtime-sim/src/personas/call-facts';
import { gogoContainerFilter, gogoImageFilter, gogoLinuxContainerResources, goIntSlice } from '../../../runtime-sim/src/personas/go-format';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'personas-'));

describe('persona catalog', () => {
  it('lists the versions of each persona newest first', () => {
    assert.deepEqual(supportedPersonaVersions('crio'), ['1.33', '1.32']);
    assert.deepEqual(supportedPersonaVersions('containerd'), ['2.1', '1.6']);
  });

  it('loads the default versions with their runtime_version and socket', () => {
    const crio = loadPersonaVersion('crio');
    assert.deepEqual([crio.version, crio.runtimeVersion, crio.defaultListen, crio.sampler], ['1.33', '1.33.0', 'unix:///var/run/crio/crio.sock', 'parent-based-ratio-per-million']);
    const containerd = loadPersonaVersion('containerd');
    assert.deepEqual([containerd.version, containerd.runtimeVersion, containerd.defaultListen, containerd.tracingConfig], ['2.1', 'v2.1.0', 'unix:///run/containerd/containerd.sock', 'otel-env']);
  });

  it('describes containerd 1.6 as the interceptor-era runtime without the newer RPCs', () => {
    const spec = loadPersonaVersion('containerd', '1.6');
    assert.match(spec.runtimeVersion, /^v1\.6\.\d+$/);
    assert.deepEqual([spec.sampler, spec.otelgrpc.instrumentation, spec.otelgrpc.version], ['trace-id-ratio', 'unary-interceptor', '0.28.0']);
    for (const rpc of ['RuntimeConfig', 'ListMetricDescriptors', 'ListPodSandboxMetrics', 'UpdatePodSandboxResources', 'StreamPodSandboxes', 'CheckpointPod', 'RestorePod']) {
      assert.ok(spec.unknownRpcs.includes(rpc), rpc);
    }
    assert.deepEqual(spec.spanLayers.logEvents?.StartContainer?.map((l) => [l.at, l.level]), [['start', 'info'], ['end', 'error'], ['end', 'info']]);
  });

  it('rejects an unknown version listing the supported ones', () => {
    assert.throws(() => loadPersonaVersion('containerd', '1.5'), (err: unknown) => err instanceof UnknownPersonaVersionError
      && err.message === 'unsupported version "1.5" for persona containerd; supported: 2.1, 1.6');
  });

  it('names the file and field of a malformed persona file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'crio-9.9.yaml'), 'persona: crio\nversion: "9.9"\nruntimeVersion: 9.9.0\ndefaultListen: unix:///x.sock\ntracingConfig: crio-conf\nsampler: sometimes\notelgrpc: {version: 0.60.0, scopeVersion: 0.60.0, instrumentation: stats-handler}\n');
    assert.throws(() => loadPersonaVersion('crio', '9.9', dir), (err: unknown) => err instanceof PersonaSpecError
      && /crio-9\.9\.yaml: sampler: must be one of parent-based-ratio-per-million, otel-env, trace-id-ratio, got "sometimes"/.test(err.message));
  });

  it('refuses a file whose contents disagree with its name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'crio-1.40.yaml'), 'persona: containerd\nversion: "1.40"\nruntimeVersion: v1\ndefaultListen: unix:///x.sock\ntracingConfig: otel-env\nsampler: otel-env\notelgrpc: {version: a, scopeVersion: a, instrumentation: stats-handler}\n');
    assert.throws(() => loadPersonaVersion('crio', '1.40', dir), /persona\/version say containerd 1\.40, but the file name says crio 1\.40/);
  });
});

describe('--persona-version', () => {
  it('selects containerd 1.6 and its socket', () => {
    const args = parseRuntimeSimArgs(['--persona', 'containerd', '--persona-version', '1.6'], {});
    assert.deepEqual([args.spec.version, args.listen], ['1.6', 'unix:///run/containerd/containerd.sock']);
  });

  it('selects crio 1.32 and its socket', () => {
    const args = parseRuntimeSimArgs(['--persona', 'crio', '--persona-version', '1.32'], {});
    assert.deepEqual([args.spec.version, args.spec.runtimeVersion, args.spec.otelgrpc.scopeVersion, args.listen], ['1.32', '1.32.0', '0.57.0', 'unix:///var/run/crio/crio.sock']);
  });

  it('is a flag error listing the supported versions when unknown', () => {
    assert.throws(() => parseRuntimeSimArgs(['--persona', 'crio', '--persona-version', '1.20'], {}), (err: unknown) => err instanceof FlagError
      && err.message === 'invalid value "1.20" for --persona-version: crio versions supported: 1.33, 1.32');
  });

  it('reads containerd 1.x tracing tables from config.toml', () => {
    const path = join(tempDir(), 'config.toml');
    writeFileSync(path, 'version = 2\n[plugins."io.containerd.tracing.processor.v1.otlp"]\n  endpoint = "127.0.0.1:4317"\n  protocol = "grpc"\n  insecure = true\n[plugins."io.containerd.internal.v1.tracing"]\n  sampling_ratio = 0.5\n  service_name = "node-a"\n');
    const args = parseRuntimeSimArgs(['--persona', 'containerd', '--persona-version', '1.6', '--config', path], {});
    assert.deepEqual(args.containerdTracing, { endpoint: '127.0.0.1:4317', protocol: 'grpc', insecure: true, samplingRatio: 0.5, serviceName: 'node-a' });
  });

  it('names the quoted plugin table of a wrongly typed tracing key', () => {
    const path = join(tempDir(), 'bad.toml');
    writeFileSync(path, '[plugins."io.containerd.internal.v1.tracing"]\n  sampling_ratio = "all"\n');
    assert.throws(() => parseRuntimeSimArgs(['--persona', 'containerd', '--config', path], {}),
      /\[plugins\."io\.containerd\.internal\.v1\.tracing"\] sampling_ratio: expected a number/);
  });
});

describe('call facts templates', () => {
  it('prints metadata like gogo-protobuf String()', () => {
    assert.equal(gogoPodSandboxMetadata({ name: 'web', uid: 'u1', namespace: 'default', attempt: 2 }), '&PodSandboxMetadata{Name:web,Uid:u1,Namespace:default,Attempt:2,}');
    assert.equal(gogoContainerMetadata({ name: 'nginx' }), '&ContainerMetadata{Name:nginx,Attempt:0,}');
    assert.equal(gogoPodSandboxMetadata(null), 'nil');
  });

  it('renders placeholders, keeping a lone numeric fact a number', () => {
    assert.equal(renderTemplate('StartContainer for "{requestContainerId}" {missing}', { requestContainerId: 'abc' }), 'StartContainer for "abc" ');
    assert.equal(renderAttributeValue('{sandboxPid}', { sandboxPid: 4242 }), 4242);
    assert.equal(renderAttributeValue('pid {sandboxPid}', { sandboxPid: 4242 }), 'pid 4242');
  });
});

describe('log event lines in a persona file', () => {
  const HEADER = 'persona: containerd\nversion: "1.9"\nruntimeVersion: v1.9.0\ndefaultListen: unix:///x.sock\ntracingConfig: containerd-toml-v1\nsampler: trace-id-ratio\n'
    + 'otelgrpc: {version: 0.28.0, scopeVersion: semver:0.27.0, instrumentation: unary-interceptor}\n';
  /** Loads a containerd 1.9 file whose StopContainer has the one line `line` (YAML flow mapping). */
  const load = (line: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'containerd-1.9.yaml'), `${HEADER}spanLayers:\n  logEvents:\n    StopContainer:\n      - ${line}\n`);
    return loadPersonaVersion('containerd', '1.9', dir);
  };
  const GOOD = "message: 'Kill container \"{containerId}\"', level: info, at: start, source: pkg/cri/server/container_stop.go:173";
  const rejects = (line: string, pattern: RegExp) =>
    assert.throws(() => load(line), (err: unknown) => err instanceof PersonaSpecError && /containerd-1\.9\.yaml: spanLayers\.logEvents\.StopContainer\[0\]/.test(err.message) && pattern.test(err.message));

  it('reads a line with its conditions, each value as a list', () => {
    const spec = load(`{ ${GOOD}, when: { containerState: CONTAINER_RUNNING, timeoutPositive: false } }`);
    assert.deepEqual(spec.spanLayers.logEvents?.StopContainer, [{
      message: 'Kill container "{containerId}"', level: 'info', at: 'start', forEach: undefined, withError: false, attributes: {},
      when: { containerState: ['CONTAINER_RUNNING'], timeoutPositive: [false] }, source: 'pkg/cri/server/container_stop.go:173',
    }]);
  });

  it('names an unknown condition and lists the known ones', () => {
    rejects(`{ ${GOOD}, when: { running: true } }`, /\.when\.running: unknown condition; known: outcome, errorCode, sandboxFound, hostNetwork/);
  });

  it('names a value a condition cannot have', () => {
    rejects(`{ ${GOOD}, when: { containerState: RUNNING } }`, /\.when\.containerState: must be one of CONTAINER_CREATED, CONTAINER_RUNNING, CONTAINER_EXITED, CONTAINER_UNKNOWN \(or a list of them\), got "RUNNING"/);
    rejects(`{ ${GOOD}, when: { hostNetwork: "yes" } }`, /\.when\.hostNetwork: must be one of true, false/);
  });

  it('refuses a condition on the outcome in a line logged before the work', () => {
    rejects(`{ ${GOOD}, when: { outcome: failure } }`, /\.when\.outcome: is known only when the call has ended/);
  });

  it('refuses Debug lines, unknown facts in templates, and a source without file:line', () => {
    rejects(`{ ${GOOD.replace('level: info', 'level: debug')} }`, /\.level: debug is below containerd's default level \(info\)/);
    rejects(`{ ${GOOD.replace('{containerId}', '{containerID}')} }`, /\.message: unknown fact \{containerID\}/);
    rejects(`{ ${GOOD.replace(':173', '')} }`, /\.source: expected an upstream path:line/);
    rejects(`{ ${GOOD}, forEach: containers }`, /\.forEach: must be one of sandboxContainers/);
    rejects(`{ ${GOOD}, attributes: { error: x } }`, /\.attributes\.error: set by the hook \(withError: true\)/);
    rejects(`{ ${GOOD}, colour: red }`, /\.colour: unknown key/);
  });

  it('every containerd 1.6 line names its upstream file and line', () => {
    const lines = Object.values(loadPersonaVersion('containerd', '1.6').spanLayers.logEvents ?? {}).flat();
    assert.ok(lines.length >= 60, `${lines.length} lines`);
    for (const l of lines) assert.match(l.source, /^(pkg\/cri\/server|remotes\/docker)\/[a-z_]+\.go:\d+$/);
  });
});

describe('Go formatting of CRI request values', () => {
  it('prints filters and resources as gogo-protobuf String(), nil pointers as nil', () => {
    assert.equal(gogoContainerFilter({ id: '', state: { state: 'CONTAINER_RUNNING' }, pod_sandbox_id: 'p1', label_selector: { b: '2', a: '1' } }),
      '&ContainerFilter{Id:,State:&ContainerStateValue{State:CONTAINER_RUNNING,},PodSandboxId:p1,LabelSelector:map[string]string{a: 1,b: 2,},}');
    assert.equal(gogoContainerFilter(null), 'nil');
    assert.equal(gogoImageFilter({ image: { image: 'nginx' } }), '&ImageFilter{Image:&ImageSpec{Image:nginx,Annotations:map[string]string{},},}');
    assert.equal(gogoLinuxContainerResources({ hugepage_limits: [{ page_size: '2MB', limit: '0' }] }),
      '&LinuxContainerResources{CpuPeriod:0,CpuQuota:0,CpuShares:0,MemoryLimitInBytes:0,OomScoreAdj:0,CpusetCpus:,CpusetMems:,HugepageLimits:[]*HugepageLimit{&HugepageLimit{PageSize:2MB,Limit:0,},},Unified:map[string]string{},MemorySwapLimitInBytes:0,}');
    assert.equal(goIntSlice([80, 443]), '[80 443]');
  });
});

describe('functionSpans trees in a persona file', () => {
  const HEADER = 'persona: crio\nversion: "1.99"\nruntimeVersion: 1.99.0\ndefaultListen: unix:///x.sock\ntracingConfig: crio-conf\nsampler: parent-based-ratio-per-million\n'
    + 'otelgrpc: {version: 0.60.0, scopeVersion: 0.60.0, instrumentation: stats-handler}\nunknownRpcs: [CheckpointPod]\n';
  const HOOK = '  logHook: { kind: otellogrus, fields: { id: "{requestId}", name: "{fullMethod}" } }\n';
  /** Loads a crio 1.99 file whose spanLayers are `layers` (YAML text indented by two). */
  const load = (layers: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'crio-1.99.yaml'), `${HEADER}spanLayers:\n${layers}`);
    return loadPersonaVersion('crio', '1.99', dir);
  };
  const rejects = (layers: string, pattern: RegExp) =>
    assert.throws(() => load(layers), (err: unknown) => err instanceof PersonaSpecError && /crio-1\.99\.yaml: /.test(err.message) && pattern.test(err.message), pattern.source);
  /** functionSpans with one call, StopContainer, whose single outcome has `steps` (flow YAML). */
  const withSteps = (steps: string, extra = '') =>
    `${HOOK}  functionSpans:\n    tracer: t\n${extra}    calls:\n      StopContainer:\n        - { outcome: o, when: { outcome: success }, steps: ${steps} }\n`;
  const SPAN = '{ span: "pkg.(*S).stop", source: server/container_stop.go:20@v1.99.0 }';
  const LOG = '{ log: "Stopping {requestContainerId}", level: info, source: server/container_stop.go:22@v1.99.0 }';
  const SDK_SCOPE = { name: 'go.opentelemetry.io/otel/sdk/tracer', version: '' };

  it('reads outcomes with span and log steps, expanding fragments and joining a use step\'s condition to theirs', () => {
    const spec = load(`${HOOK}  functionSpans:\n    tracer: go.opentelemetry.io/otel/sdk/tracer\n    fragments:\n      inner:\n        - { span: "pkg.inner", source: a/b.go:3, when: { containerState: [CONTAINER_RUNNING, CONTAINER_EXITED] } }\n`
      + '    calls:\n      StopContainer:\n        - outcome: stopped\n          when: { outcome: success }\n          steps:\n'
      + `            - span: "pkg.(*S).stop"\n              source: server/container_stop.go:20@v1.99.0\n              forEach: sandboxContainers\n              concurrent: true\n              steps:\n                - ${LOG}\n                - { use: inner, when: { containerState: CONTAINER_RUNNING, hostNetwork: false } }\n`);
    assert.deepEqual(spec.spanLayers.logHook, { kind: 'otellogrus', fields: { id: '{requestId}', name: '{fullMethod}' } });
    assert.equal(spec.spanLayers.functionSpans?.tracer, 'go.opentelemetry.io/otel/sdk/tracer');
    assert.deepEqual(spec.spanLayers.functionSpans?.calls.StopContainer, [{
      outcome: 'stopped',
      when: { outcome: ['success'] },
      attributes: {},
      steps: [{
        kind: 'span', name: 'pkg.(*S).stop', source: 'server/container_stop.go:20@v1.99.0', when: {}, forEach: 'sandboxContainers', concurrent: true,
        spanKind: 'INTERNAL', scope: SDK_SCOPE, attributes: {}, errorStatus: undefined, weight: undefined, startsAt: undefined,
        steps: [
          { kind: 'log', message: 'Stopping {requestContainerId}', level: 'info', when: {}, attributes: {}, source: 'server/container_stop.go:22@v1.99.0', withError: false },
          {
            kind: 'span', name: 'pkg.inner', source: 'a/b.go:3', when: { containerState: ['CONTAINER_RUNNING'], hostNetwork: [false] }, forEach: undefined, concurrent: false, steps: [],
            spanKind: 'INTERNAL', scope: SDK_SCOPE, attributes: {}, errorStatus: undefined, weight: undefined, startsAt: undefined,
          },
        ],
      }],
    }]);
  });

  it('reads client spans with their scope, typed attributes, events, loops, weights and outcome attributes', () => {
    const spec = load(`  logHook: { kind: containerd-logrus }\n  functionSpans:\n    tracer: go.opentelemetry.io/otel/sdk/tracer\n`
      + '    scopes:\n      ttrpc: { name: github.com/containerd/otelttrpc, version: "0.0.0" }\n'
      + '    calls:\n      StopContainer:\n        - outcome: stopped\n          attributes: { container.id: "{containerId}" }\n          steps:\n'
      + '            - { log: "Kill {containerId}", level: error, withError: true, source: a/b.go:1 }\n'
      + '            - forEach: sandboxContainers\n              when: { containerState: CONTAINER_RUNNING }\n              steps:\n'
      + '                - span: task.Kill\n                  source: client/task.go:264\n                  weight: 7\n'
      + '                  attributes: { task.pid: { value: "{sandboxPid}", type: int }, task.pid.text: { value: "{containerPid}", type: string }, task.exec.id: "", task.exec.killall: false, n: 3 }\n'
      + '                  steps:\n                    - { span: containerd.task.v3.Task/Kill, kind: CLIENT, scope: ttrpc, source: core/runtime/v2/shim.go:1, status: { code: ERROR, message: "ttrpc: closed" } }\n'
      + '            - { event: container stopped, source: a/b.go:2, attributes: { container.stop.duration: "{elapsed}" } }\n');
    const [outcome] = spec.spanLayers.functionSpans?.calls.StopContainer ?? [];
    assert.deepEqual(outcome.attributes, { 'container.id': { template: '{containerId}', type: 'auto' } });
    assert.deepEqual(outcome.steps[0], { kind: 'log', message: 'Kill {containerId}', level: 'error', when: {}, attributes: {}, source: 'a/b.go:1', withError: true });
    const loop = outcome.steps[1];
    assert.equal(loop.kind, 'repeat');
    assert.ok(loop.kind === 'repeat');
    assert.deepEqual(loop.when, { containerState: ['CONTAINER_RUNNING'] });
    const kill = loop.steps[0];
    assert.ok(kill.kind === 'span');
    assert.equal(kill.weight, 7);
    assert.deepEqual(kill.attributes, {
      'task.pid': { template: '{sandboxPid}', type: 'int' },
      'task.pid.text': { template: '{containerPid}', type: 'string' },
      'task.exec.id': { literal: '' },
      'task.exec.killall': { literal: false },
      n: { literal: 3 },
    });
    const client = kill.steps[0];
    assert.ok(client.kind === 'span');
    assert.equal(client.spanKind, 'CLIENT');
    assert.deepEqual(client.scope, { name: 'github.com/containerd/otelttrpc', version: '0.0.0' });
    assert.equal(client.errorStatus, 'ttrpc: closed');
    assert.deepEqual(outcome.steps[2], { kind: 'event', name: 'container stopped', when: {}, source: 'a/b.go:2', attributes: { 'container.stop.duration': { template: '{elapsed}', type: 'auto' } } });
  });

  it('refuses unknown scopes, bad weights and kinds, and the fields containerd\'s hook writes itself', () => {
    const containerd = (steps: string) => withSteps(steps).replace(HOOK, '  logHook: { kind: containerd-logrus }\n');
    rejects(withSteps(`[${SPAN.replace(' }', ', scope: ttrpc }')}]`), /steps\[0\]\.scope: unknown scope "ttrpc"; list it under spanLayers\.functionSpans\.scopes/);
    rejects(withSteps(`[${SPAN.replace(' }', ', weight: 0 }')}]`), /steps\[0\]\.weight: expected a positive integer/);
    rejects(withSteps(`[${SPAN.replace(' }', ', kind: PRODUCER }')}]`), /steps\[0\]\.kind: must be one of INTERNAL, CLIENT, SERVER/);
    rejects(withSteps('[]', '    background:\n      CONTAINER_EXITED: []\n'), /functionSpans\.background\.CONTAINER_EXITED: unknown transition; transitions: CONTAINER_CREATED_EVENT/);
    rejects(withSteps('[]', `    background:\n      CONTAINER_STOPPED_EVENT: [${LOG}]\n`), /background\.CONTAINER_STOPPED_EVENT\[0\]: a background step is a root span/);
    rejects(withSteps(`[${SPAN.replace(' }', ', attributes: { pid: { value: "{containerPid}", type: uint32 } } }')}]`), /steps\[0\]\.attributes\.pid\.type: must be one of string, int/);
    rejects(containerd(`[${LOG.replace(' }', ', attributes: { level: info } }')}]`), /steps\[0\]\.attributes\.level: set by the log hook/);
    rejects(containerd(`[${LOG.replace(' }', ', attributes: { error: x } }')}]`), /steps\[0\]\.attributes\.error: set by the log hook \(say withError: true\)/);
    rejects(withSteps('[{ forEach: sandboxContainers }]'), /steps\[0\]\.steps: expected a list of steps/);
  });

  it('names the field and the allowed values of a bad condition, and allows end-only facts anywhere in a tree', () => {
    rejects(withSteps(`[${SPAN.replace(' }', ', when: { running: true } }')}]`), /calls\.StopContainer\[0\]\.steps\[0\]\.when\.running: unknown condition; known: outcome, errorCode, sandboxFound/);
    rejects(withSteps(`[${SPAN.replace(' }', ', when: { sandboxState: READY } }')}]`), /steps\[0\]\.when\.sandboxState: must be one of SANDBOX_READY, SANDBOX_NOTREADY \(or a list of them\), got "READY"/);
    assert.ok(load(withSteps(`[${SPAN.replace(' }', ', when: { execTimedOut: false, errorCode: NotFound } }')}]`)));
  });

  it('refuses malformed steps, naming the step', () => {
    rejects(withSteps(`[{ span: x, log: y, source: a/b.go:1 }]`), /steps\[0\]: a step is one of span, log, event, idle or use, not span and log/);
    rejects(withSteps('[{ source: a/b.go:1 }]'), /steps\[0\]: a step needs one of span \(a span\), log \(a log line\), event \(a span event\), idle \(time with no span\), forEach \(a loop\) or use \(a fragment\)/);
    rejects(withSteps(`[${SPAN.replace(' }', ', colour: red }')}]`), /steps\[0\]\.colour: unknown key; known: span, source, when, forEach, concurrent, steps, kind, scope, attributes, status, weight/);
    rejects(withSteps(`[${SPAN.replace(':20@v1.99.0', '')}]`), /steps\[0\]\.source: expected an upstream path:line@tag such as server\/container_start\.go:20@v1\.33\.0/);
    rejects(withSteps(`[${SPAN.replace(' }', ', concurrent: true }')}]`), /steps\[0\]\.concurrent: only a forEach span can run side by side/);
    rejects(withSteps(`[${SPAN.replace(' }', ', forEach: everything }')}]`), /steps\[0\]\.forEach: must be one of sandboxContainers/);
    rejects(withSteps(`[${LOG.replace('level: info', 'level: debug')}]`), /steps\[0\]\.level: debug is below the runtime's default log level \(info\)/);
    rejects(withSteps(`[${LOG.replace('{requestContainerId}', '{containerID}')}]`), /steps\[0\]\.log: unknown fact \{containerID\}/);
    rejects(withSteps(`[${LOG.replace(' }', ', attributes: { log.message: x } }')}]`), /steps\[0\]\.attributes\.log\.message: set by the log hook/);
  });

  it('refuses unknown and self-using fragments', () => {
    rejects(withSteps('[{ use: missing }]'), /steps\[0\]\.use: unknown fragment "missing"; fragments: \(none\)/);
    rejects(withSteps('[{ use: a }]', '    fragments:\n      a: [{ use: b }]\n      b: [{ use: a }]\n'), /fragment "a" uses itself \(a -> b -> a\)/);
  });

  it('refuses calls that are no CRI method, or that grpc-go answers itself, and outcomes named twice', () => {
    rejects(`${HOOK}  functionSpans:\n    tracer: t\n    calls:\n      StopContainers: [{ outcome: o, steps: [] }]\n`, /calls\.StopContainers: unknown CRI method; methods: Version, RunPodSandbox/);
    rejects(`${HOOK}  functionSpans:\n    tracer: t\n    calls:\n      CheckpointPod: [{ outcome: o, steps: [] }]\n`, /calls\.CheckpointPod: listed in unknownRpcs/);
    rejects(`${HOOK}  functionSpans:\n    tracer: t\n    calls:\n      Version: [{ outcome: o }, { outcome: o }]\n`, /calls\.Version\[1\]\.outcome: "o" is listed twice for Version/);
    rejects(`${HOOK}  functionSpans:\n    tracer: t\n    calls:\n      Version: []\n`, /calls\.Version: expected a non-empty list of outcomes/);
  });

  it('wants a log hook for log steps, a known hook kind, and no longer reads trees/defaultRoot', () => {
    rejects(withSteps(`[${LOG}]`).replace(HOOK, ''), /spanLayers\.logHook: missing: the functionSpans trees have log steps/);
    rejects(`  logHook: { kind: logrus-hook }\n`, /spanLayers\.logHook\.kind: must be one of otellogrus, containerd-logrus, got "logrus-hook"/);
    rejects('  functionSpans:\n    tracer: ""\n    defaultRoot: "x.{method}"\n', /spanLayers\.functionSpans\.defaultRoot: no longer read: list each method's outcomes under calls/);
    rejects('  functionSpans:\n    tracer: t\n    tree: {}\n', /spanLayers\.functionSpans\.tree: unknown key; known: tracer, scopes, fragments, calls/);
  });

  for (const version of ['1.33', '1.32']) {
    it(`crio ${version}: every span and line names its upstream file:line at v${version}.0, scope go.opentelemetry.io/otel/sdk/tracer`, () => {
      const spec = loadPersonaVersion('crio', version);
      const layer = spec.spanLayers.functionSpans;
      assert.equal(layer?.tracer, 'go.opentelemetry.io/otel/sdk/tracer');
      const sources: string[] = [];
      const walk = (steps: readonly CallStep[]): void => steps.forEach((s) => { if (s.kind !== 'repeat') sources.push(s.source); if (s.kind === 'span' || s.kind === 'repeat') walk(s.steps); });
      Object.values(layer?.calls ?? {}).forEach((outcomes) => outcomes.forEach((o) => walk(o.steps)));
      assert.ok(sources.length > 300, `${sources.length} steps`);
      for (const source of sources) assert.match(source, new RegExp(`^(server|internal)/[\\w/]+\\.go:\\d+@v${version.replace('.', '\\.')}\\.0$`));
    });
  }

  it('crio 1.32 lacks UpdatePodSandboxResources (cri-api v0.31.4) and 1.33 has its tree', () => {
    assert.ok(loadPersonaVersion('crio', '1.32').unknownRpcs.includes('UpdatePodSandboxResources'));
    assert.equal(loadPersonaVersion('crio', '1.32').spanLayers.functionSpans?.calls.UpdatePodSandboxResources, undefined);
    assert.ok(loadPersonaVersion('crio', '1.33').spanLayers.functionSpans?.calls.UpdatePodSandboxResources);
  });
});
