import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { FlagError, parseRuntimeSimArgs } from '../../../runtime-sim/src/cli/runtime-sim-args';
import {
  loadRuntimeModel,
  MODEL_PROFILES,
  parseRuntimeModel,
  resolveModelPath,
  RuntimeModelError,
} from '../../../runtime-sim/src/model/load-runtime-model';
import { GRPC_STATUS } from '../../../runtime-sim/src/state/cri-error';

const HEADER = 'apiVersion: sim.cri.io/v1alpha1\nkind: RuntimeModel\n';

/** A model with one rule given as YAML lines (indented under `rules:`). */
function oneRule(ruleYaml: string): string {
  return `${HEADER}rules:\n${ruleYaml}`;
}

function problemsOf(text: string, source = 'configs/models/x.yaml'): readonly string[] {
  try {
    parseRuntimeModel(text, source);
  } catch (err) {
    assert.ok(err instanceof RuntimeModelError, `expected RuntimeModelError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the model was accepted');
}

describe('parseRuntimeModel', () => {
  describe('a valid model', () => {
    it('normalises methods, selectors, images and effects', () => {
      const model = parseRuntimeModel(
        oneRule(`  - name: slow-web
    match:
      methods: [RunPodSandbox, runtime.v1.ImageService/PullImage, /runtime.v1.RuntimeService/StartContainer]
      namespaces: [default]
      podSelector:
        matchLabels: { app: web }
        matchExpressions: [{ key: tier, operator: In, values: [front] }]
      podAnnotationSelector: { matchExpressions: [{ key: team, operator: Exists }] }
      images: [nginx, "docker.io/library/redis:*"]
      containerNames: [app]
    latency: { distribution: logNormal, meanMs: 100, stddevMs: 50, maxMs: 2000 }
    imagePull: { bandwidthBytesPerSecond: 1000000 }
    error: { probability: 0.25, code: UNAVAILABLE, message: try later }
`),
        'm.yaml',
      );
      assert.equal(model.source, 'm.yaml');
      assert.equal(model.rules.length, 1);
      const rule = model.rules[0]!;
      assert.equal(rule.index, 0);
      assert.equal(rule.name, 'slow-web');
      assert.deepEqual([...rule.match.methods!], ['RunPodSandbox', 'PullImage', 'StartContainer']);
      assert.deepEqual([...rule.match.namespaces!], ['default']);
      assert.deepEqual(rule.match.podSelector, {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }],
      });
      assert.equal(rule.match.images![0]!.normalized, 'docker.io/library/nginx:latest');
      assert.ok(rule.match.images![1]!.glob instanceof RegExp);
      assert.deepEqual(rule.latency, { distribution: 'logNormal', meanMs: 100, stddevMs: 50, maxMs: 2000 });
      assert.deepEqual(rule.imagePull, { bandwidthBytesPerSecond: 1_000_000 });
      assert.deepEqual(rule.error, { probability: 0.25, code: GRPC_STATUS.UNAVAILABLE, codeName: 'UNAVAILABLE', message: 'try later' });
    });

    it('turns a container effect into a behaviour with the annotation defaults', () => {
      const model = parseRuntimeModel(
        oneRule(`  - name: oom
    container: { exitAfter: 1m30s, oomKilled: true, stopGrace: never }
`),
        'm.yaml',
      );
      assert.deepEqual(model.rules[0]!.container, {
        exitAfterNs: 90_000_000_000n,
        exitCode: 137,
        oomKilled: true,
        stopGraceNs: null,
        stopExitCode: 0,
      });
    });

    it('gives an injected error a message naming the rule when none is written', () => {
      const model = parseRuntimeModel(oneRule('  - name: flaky\n    error: { probability: 1, code: INTERNAL }\n'), 'm.yaml');
      assert.equal(model.rules[0]!.error!.message, 'injected by runtime-sim model rule "flaky"');
    });

    it('accepts an empty rule list (no effects at all)', () => {
      assert.deepEqual(parseRuntimeModel(`${HEADER}rules: []\n`, 'm.yaml').rules, []);
    });
  });

  describe('an invalid model', () => {
    const cases: { name: string; rule: string; expected: string }[] = [
      {
        name: 'unknown field in a rule',
        rule: '  - name: r\n    latencyMs: 5\n',
        expected: 'configs/models/x.yaml: rules[0] "r": latencyMs: unknown field; allowed fields: name, match, latency, imagePull, error, container, hang',
      },
      {
        name: 'unknown field in a distribution',
        rule: '  - name: r\n    latency: { distribution: fixed, valueMs: 1, jitterMs: 2 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": latency.jitterMs: unknown field; allowed fields: distribution, valueMs',
      },
      {
        name: 'wrong type',
        rule: '  - name: r\n    latency: { distribution: fixed, valueMs: fast }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": latency.valueMs: must be a number',
      },
      {
        name: 'missing distribution parameter',
        rule: '  - name: r\n    latency: { distribution: normal, meanMs: 5 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": latency.stddevMs: required field is missing',
      },
      {
        name: 'unknown distribution',
        rule: '  - name: r\n    latency: { distribution: gamma }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": latency.distribution: must be one of "fixed", "uniform", "normal", "logNormal"',
      },
      {
        name: 'negative latency',
        rule: '  - name: slow-pulls\n    latency: { distribution: normal, meanMs: -5, stddevMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0] "slow-pulls": latency.meanMs: must be >= 0',
      },
      {
        name: 'uniform bounds reversed',
        rule: '  - name: r\n    latency: { distribution: uniform, minMs: 9, maxMs: 3 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": latency.maxMs: must be >= latency.minMs (9)',
      },
      {
        name: 'unknown method name',
        rule: '  - name: r\n    match: { methods: [RunPod] }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected:
          'configs/models/x.yaml: rules[0] "r": match.methods[0]: unknown CRI method "RunPod"; use an RPC of runtime.v1.RuntimeService or runtime.v1.ImageService, e.g. RunPodSandbox or runtime.v1.ImageService/PullImage',
      },
      {
        name: 'method under the wrong service',
        rule: '  - name: r\n    match: { methods: [runtime.v1.RuntimeService/PullImage] }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": match.methods[0]: PullImage is an RPC of runtime.v1.ImageService, not runtime.v1.RuntimeService',
      },
      {
        name: 'unknown gRPC code',
        rule: '  - name: r\n    error: { probability: 0.1, code: BROKEN }\n',
        expected:
          'configs/models/x.yaml: rules[0] "r": error.code: unknown gRPC code "BROKEN"; use a gRPC status name such as UNAVAILABLE, DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED',
      },
      {
        name: 'gRPC code in Go spelling',
        rule: '  - name: r\n    error: { probability: 0.1, code: DeadlineExceeded }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": error.code: unknown gRPC code "DeadlineExceeded"; write the canonical name DEADLINE_EXCEEDED',
      },
      {
        name: 'OK is not an error',
        rule: '  - name: r\n    error: { probability: 0.1, code: OK }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": error.code: unknown gRPC code "OK"; OK is not an error',
      },
      {
        name: 'probability above 1',
        rule: '  - name: r\n    error: { probability: 1.5, code: INTERNAL }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": error.probability: must be <= 1',
      },
      {
        name: 'probability below 0',
        rule: '  - name: r\n    error: { probability: -0.1, code: INTERNAL }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": error.probability: must be >= 0',
      },
      {
        name: 'bad duration',
        rule: '  - name: r\n    container: { exitAfter: 5 sec }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": container.exitAfter: "5 sec" is not a Go duration such as "500ms", "5s" or "1m30s"',
      },
      {
        name: 'bad stop grace',
        rule: '  - name: r\n    container: { stopGrace: forever }\n',
        expected:
          'configs/models/x.yaml: rules[0] "r": container.stopGrace: "forever" is not a Go duration such as "500ms", "5s" or "1m30s", or "never"',
      },
      {
        name: 'exit code out of range',
        rule: '  - name: r\n    container: { exitCode: 256 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": container.exitCode: must be <= 255',
      },
      {
        name: 'container effect on a rule for other methods',
        rule: '  - name: r\n    match: { methods: [StartContainer] }\n    container: { exitCode: 1 }\n',
        expected:
          'configs/models/x.yaml: rules[0] "r": container: applies only to CreateContainer calls; add CreateContainer to match.methods or move it to a rule of its own',
      },
      {
        name: 'image pull on a rule for other methods',
        rule: '  - name: r\n    match: { methods: [ImageStatus] }\n    imagePull: { bandwidthBytesPerSecond: 10 }\n',
        expected:
          'configs/models/x.yaml: rules[0] "r": imagePull: applies only to PullImage calls; add PullImage to match.methods or move it to a rule of its own',
      },
      {
        name: 'zero bandwidth',
        rule: '  - name: r\n    imagePull: { bandwidthBytesPerSecond: 0 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": imagePull.bandwidthBytesPerSecond: must be > 0',
      },
      {
        name: 'In without values',
        rule: '  - name: r\n    match: { podSelector: { matchExpressions: [{ key: app, operator: In }] } }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": match.podSelector.matchExpressions[0].values: must be given (non-empty) when operator is In',
      },
      {
        name: 'Exists with values',
        rule: '  - name: r\n    match: { podAnnotationSelector: { matchExpressions: [{ key: a, operator: Exists, values: [x] }] } }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": match.podAnnotationSelector.matchExpressions[0].values: must be empty when operator is Exists',
      },
      {
        name: 'unknown selector operator',
        rule: '  - name: r\n    match: { podSelector: { matchExpressions: [{ key: a, operator: Gt, values: ["1"] }] } }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": match.podSelector.matchExpressions[0].operator: must be one of "In", "NotIn", "Exists", "DoesNotExist"',
      },
      {
        name: 'invalid exact image reference',
        rule: '  - name: r\n    match: { images: [Nginx] }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected:
          'configs/models/x.yaml: rules[0] "r": match.images[0]: "Nginx" is not an image reference; write one such as nginx:1.27, or a glob with * such as docker.io/library/*',
      },
      {
        name: 'empty method list',
        rule: '  - name: r\n    match: { methods: [] }\n    latency: { distribution: fixed, valueMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": match.methods: must not be empty',
      },
      {
        name: 'rule without effects',
        rule: '  - name: r\n    match: { methods: [Version] }\n',
        expected: 'configs/models/x.yaml: rules[0] "r": name: the rule has no effect; give it latency, imagePull, error, container or hang',
      },
      {
        name: 'rule without a name',
        rule: '  - latency: { distribution: fixed, valueMs: 1 }\n',
        expected: 'configs/models/x.yaml: rules[0]: name: required field is missing',
      },
    ];
    for (const c of cases) {
      it(`rejects ${c.name}`, () => {
        assert.deepEqual(problemsOf(oneRule(c.rule)), [c.expected]);
      });
    }

    it('names the index of a later rule', () => {
      const text = oneRule(`  - name: ok
    latency: { distribution: fixed, valueMs: 1 }
  - name: ok-too
    latency: { distribution: fixed, valueMs: 1 }
  - name: slow-pulls
    latency: { distribution: logNormal, meanMs: -1, stddevMs: 1 }
`);
      assert.deepEqual(problemsOf(text), ['configs/models/x.yaml: rules[2] "slow-pulls": latency.meanMs: must be >= 0']);
    });

    it('rejects duplicate rule names', () => {
      const text = oneRule(`  - name: a
    latency: { distribution: fixed, valueMs: 1 }
  - name: a
    latency: { distribution: fixed, valueMs: 2 }
`);
      assert.deepEqual(problemsOf(text), [
        'configs/models/x.yaml: rules[1] "a": name: duplicate rule name (also rules[0]); names identify rules in messages and random streams',
      ]);
    });

    it('reports every problem, not just the first', () => {
      const text = oneRule(`  - name: a
    latency: { distribution: fixed, valueMs: -1 }
    error: { probability: 2, code: INTERNAL }
`);
      assert.deepEqual(problemsOf(text), [
        'configs/models/x.yaml: rules[0] "a": latency.valueMs: must be >= 0',
        'configs/models/x.yaml: rules[0] "a": error.probability: must be <= 1',
      ]);
    });

    it('checks apiVersion, kind and unknown top-level fields', () => {
      const text = 'apiVersion: v1\nkind: Pod\nrules: []\nextra: 1\n';
      assert.deepEqual(problemsOf(text), [
        'configs/models/x.yaml: extra: unknown field; allowed fields: apiVersion, kind, rules',
        'configs/models/x.yaml: apiVersion: must be "sim.cri.io/v1alpha1"',
        'configs/models/x.yaml: kind: must be "RuntimeModel"',
      ]);
    });

    it('reports YAML syntax errors with line and column', () => {
      assert.deepEqual(problemsOf(`${HEADER}rules:\n  - name: a\n  - name: a\n    latency: [\n`).length > 0, true);
      const [line] = problemsOf('a: 1\na: 2\n');
      assert.equal(line, 'configs/models/x.yaml: line 2, column 1: Map keys must be unique');
    });

    it('rejects an empty file', () => {
      assert.deepEqual(problemsOf(''), ['configs/models/x.yaml: the file is empty; expected apiVersion, kind and rules']);
    });
  });
});

describe('loadRuntimeModel', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-model-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const profile of MODEL_PROFILES) {
    it(`loads the ${profile} profile clean`, () => {
      const model = loadRuntimeModel(profile);
      assert.match(model.source, new RegExp(`configs[\\\\/]models[\\\\/]${profile}\\.yaml$`));
      assert.ok(model.rules.length > 0);
    });
  }

  it('resolves a profile name to configs/models/<name>.yaml and anything else to a path', () => {
    assert.match(resolveModelPath('chaos'), /configs[\\/]models[\\/]chaos\.yaml$/);
    assert.equal(resolveModelPath('my.yaml', '/tmp/x'), path.resolve('/tmp/x', 'my.yaml'));
  });

  it('names a file it cannot read and lists the profiles', () => {
    assert.throws(() => loadRuntimeModel('missing.yaml', dir), {
      name: 'RuntimeModelError',
      message: 'missing.yaml: no such file; give a path or one of the profiles fast, realistic, chaos',
    });
  });

  it('shows a file under the working directory by its relative path', () => {
    fs.writeFileSync(path.join(dir, 'bad.yaml'), `${HEADER}rules:\n  - name: r\n    error: { probability: 3, code: INTERNAL }\n`);
    assert.throws(() => loadRuntimeModel('bad.yaml', dir), {
      message: 'bad.yaml: rules[0] "r": error.probability: must be <= 1',
    });
  });

  describe('--model flag', () => {
    const listen = ['--listen', 'unix:///tmp/x.sock'];

    it('is undefined without the flag (no latency, the default)', () => {
      assert.equal(parseRuntimeSimArgs(listen, {}).model, undefined);
    });

    it('loads a profile by name', () => {
      const args = parseRuntimeSimArgs([...listen, '--model', 'realistic', '--seed', '9'], {});
      assert.equal(args.seed, 9);
      assert.ok(args.model?.rules.some((r) => r.name === 'run-pod-sandbox'));
    });

    it('turns an invalid model into a flag error naming the file, rule and field', () => {
      const file = path.join(dir, 'flag-bad.yaml');
      fs.writeFileSync(file, `${HEADER}rules:\n  - name: slow-pulls\n    latency: { distribution: normal, meanMs: -1, stddevMs: 0 }\n`);
      assert.throws(() => parseRuntimeSimArgs([...listen, '--model', file], {}), (err: unknown) => {
        assert.ok(err instanceof FlagError);
        assert.equal(err.message, `--model: ${file}: rules[0] "slow-pulls": latency.meanMs: must be >= 0`);
        return true;
      });
    });
  });
});
