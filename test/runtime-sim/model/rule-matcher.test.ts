import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectorMatches } from '../../../runtime-sim/src/model/label-selector';
import { parseRuntimeModel } from '../../../runtime-sim/src/model/load-runtime-model';
import { compileImagePattern, globToRegExp, imageMatches, ruleMatches } from '../../../runtime-sim/src/model/rule-matcher';
import type { CallSubject, RuleMatch } from '../../../runtime-sim/src/model/runtime-model-types';

/** The match of a one-rule model whose `match:` is the given YAML flow mapping. */
function matchOf(matchYaml: string): RuleMatch {
  const text = `apiVersion: sim.cri.io/v1alpha1\nkind: RuntimeModel\nrules:\n  - name: r\n    match: ${matchYaml}\n    latency: { distribution: fixed, valueMs: 1 }\n`;
  return parseRuntimeModel(text, 'm.yaml').rules[0]!.match;
}

const WEB_POD: CallSubject['pod'] = {
  namespace: 'shop',
  name: 'web-1',
  uid: 'uid-web-1',
  labels: { app: 'web', tier: 'front' },
  annotations: { 'team.example.com/owner': 'payments' },
};

function subject(partial: Partial<CallSubject> = {}): CallSubject {
  return { method: 'StartContainer', pod: WEB_POD, containerName: 'app', images: ['docker.io/library/nginx:1.27'], ...partial };
}

describe('ruleMatches', () => {
  it('an empty match applies to every call, with or without a pod', () => {
    const m = matchOf('{}');
    assert.ok(ruleMatches(m, subject()));
    assert.ok(ruleMatches(m, { method: 'Version', images: [] }));
  });

  describe('methods', () => {
    it('matches short and full names', () => {
      const m = matchOf('{ methods: [RunPodSandbox, runtime.v1.RuntimeService/StartContainer] }');
      assert.ok(ruleMatches(m, subject({ method: 'StartContainer' })));
      assert.ok(ruleMatches(m, subject({ method: 'RunPodSandbox' })));
      assert.ok(!ruleMatches(m, subject({ method: 'StopContainer' })));
    });
  });

  describe('namespaces', () => {
    it('matches the pod namespace; never a call without a pod', () => {
      const m = matchOf('{ namespaces: [shop, kube-system] }');
      assert.ok(ruleMatches(m, subject()));
      assert.ok(!ruleMatches(m, subject({ pod: { ...WEB_POD!, namespace: 'default' } })));
      assert.ok(!ruleMatches(m, subject({ pod: undefined })));
    });
  });

  describe('podSelector', () => {
    it('matchLabels: every pair must match', () => {
      assert.ok(ruleMatches(matchOf('{ podSelector: { matchLabels: { app: web, tier: front } } }'), subject()));
      assert.ok(!ruleMatches(matchOf('{ podSelector: { matchLabels: { app: web, tier: back } } }'), subject()));
    });

    it('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
      const expr = (e: string): RuleMatch => matchOf(`{ podSelector: { matchExpressions: [${e}] } }`);
      assert.ok(ruleMatches(expr('{ key: app, operator: In, values: [web, api] }'), subject()));
      assert.ok(!ruleMatches(expr('{ key: app, operator: In, values: [api] }'), subject()));
      assert.ok(ruleMatches(expr('{ key: app, operator: NotIn, values: [api] }'), subject()));
      assert.ok(ruleMatches(expr('{ key: missing, operator: NotIn, values: [x] }'), subject()), 'NotIn holds for an absent key');
      assert.ok(!ruleMatches(expr('{ key: app, operator: NotIn, values: [web] }'), subject()));
      assert.ok(ruleMatches(expr('{ key: tier, operator: Exists }'), subject()));
      assert.ok(!ruleMatches(expr('{ key: missing, operator: Exists }'), subject()));
      assert.ok(ruleMatches(expr('{ key: missing, operator: DoesNotExist }'), subject()));
      assert.ok(!ruleMatches(expr('{ key: app, operator: DoesNotExist }'), subject()));
    });

    it('matchLabels and matchExpressions are ANDed', () => {
      const m = matchOf('{ podSelector: { matchLabels: { app: web }, matchExpressions: [{ key: tier, operator: In, values: [back] }] } }');
      assert.ok(!ruleMatches(m, subject()));
    });
  });

  describe('podAnnotationSelector', () => {
    it('selects on the pod annotations', () => {
      assert.ok(ruleMatches(matchOf('{ podAnnotationSelector: { matchLabels: { team.example.com/owner: payments } } }'), subject()));
      assert.ok(!ruleMatches(matchOf('{ podAnnotationSelector: { matchLabels: { team.example.com/owner: search } } }'), subject()));
      assert.ok(!ruleMatches(matchOf('{ podAnnotationSelector: { matchLabels: { app: web } } }'), subject()), 'labels are not annotations');
    });
  });

  describe('containerNames', () => {
    it('matches the container name; never a call without a container', () => {
      const m = matchOf('{ containerNames: [app] }');
      assert.ok(ruleMatches(m, subject()));
      assert.ok(!ruleMatches(m, subject({ containerName: 'sidecar' })));
      assert.ok(!ruleMatches(m, subject({ method: 'RunPodSandbox', containerName: undefined })));
    });
  });

  describe('images', () => {
    it('an exact reference compares normalised', () => {
      assert.ok(ruleMatches(matchOf('{ images: ["nginx:1.27"] }'), subject()));
      assert.ok(ruleMatches(matchOf('{ images: ["docker.io/library/nginx:1.27"] }'), subject({ images: ['nginx:1.27'] })));
      assert.ok(!ruleMatches(matchOf('{ images: [nginx] }'), subject()), 'nginx means nginx:latest');
    });

    it('a glob matches any name of the image, written or normalised', () => {
      assert.ok(ruleMatches(matchOf('{ images: ["docker.io/library/nginx:*"] }'), subject({ images: ['nginx:1.27'] })));
      assert.ok(ruleMatches(matchOf('{ images: ["*/nginx:1.2?"] }'), subject()));
      assert.ok(!ruleMatches(matchOf('{ images: ["registry.k8s.io/*"] }'), subject()));
    });

    it('any of the names the call knows (an image id plus its tags) may match', () => {
      const m = matchOf('{ images: ["nginx:1.27"] }');
      assert.ok(ruleMatches(m, subject({ images: ['sha256:' + 'a'.repeat(64), 'docker.io/library/nginx:1.27'] })));
      assert.ok(!ruleMatches(m, subject({ images: [] })));
    });
  });

  it('all conditions must hold together', () => {
    const m = matchOf('{ methods: [StartContainer], namespaces: [shop], podSelector: { matchLabels: { app: web } }, images: ["*nginx*"] }');
    assert.ok(ruleMatches(m, subject()));
    assert.ok(!ruleMatches(m, subject({ method: 'StopContainer' })));
    assert.ok(!ruleMatches(m, subject({ images: ['docker.io/library/redis:7'] })));
  });
});

describe('globToRegExp', () => {
  it('treats only * and ? as wildcards', () => {
    assert.ok(globToRegExp('a.b*').test('a.b/c:d'));
    assert.ok(!globToRegExp('a.b*').test('axb'));
    assert.ok(globToRegExp('x?z').test('x/z'));
    assert.ok(!globToRegExp('x?z').test('xz'));
    assert.ok(globToRegExp('(a)[b]+').test('(a)[b]+'));
  });

  it('an exact pattern keeps its normalised form', () => {
    assert.equal(compileImagePattern('redis').normalized, 'docker.io/library/redis:latest');
    assert.ok(imageMatches(compileImagePattern('redis'), ['redis:latest']));
  });
});

describe('selectorMatches', () => {
  it('an empty selector matches everything', () => {
    assert.ok(selectorMatches({ matchLabels: {}, matchExpressions: [] }, {}));
  });

  it('does not treat inherited object keys as labels', () => {
    assert.ok(!selectorMatches({ matchLabels: {}, matchExpressions: [{ key: 'toString', operator: 'Exists', values: [] }] }, {}));
  });
});
