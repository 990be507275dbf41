import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestError, ParsedPod } from '../../../kubelet-sim/src/pod-sources/pod-manifest';
import { defaultPullPolicy, parsePodManifest, PodManifestError, toFieldPath } from '../../../kubelet-sim/src/pod-sources/pod-manifest';

const SOURCE = '/etc/kubernetes/manifests/web.yaml';

function podYaml(spec: string, metadata = 'name: web'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n${indent(metadata, 2)}\nspec:\n${indent(spec, 2)}\n`;
}

function indent(text: string, n: number): string {
  return text.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}

function onlyPod(text: string): ParsedPod['pod'] {
  const { parsed } = parsePodManifest(text);
  assert.equal(parsed.errors, undefined, `unexpected errors: ${JSON.stringify(parsed.errors)}`);
  return parsed.pod!;
}

function onlyErrors(text: string): ManifestError[] {
  const { parsed } = parsePodManifest(text);
  assert.ok(parsed.errors, 'expected the manifest to be rejected');
  return parsed.errors;
}

describe('parsePodManifest', () => {
  describe('defaults (pkg/apis/core/v1/defaults.go, pkg/kubelet/config/common.go)', () => {
    const pod = onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1.27'));

    it('puts a pod without a namespace in "default"', () => {
      assert.equal(pod.metadata.namespace, 'default');
    });

    it('defaults restartPolicy to Always and terminationGracePeriodSeconds to 30', () => {
      assert.equal(pod.spec.restartPolicy, 'Always');
      assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
    });

    it('defaults hostNetwork to false, no init containers, empty labels and annotations, BestEffort QoS', () => {
      assert.equal(pod.spec.hostNetwork, false);
      assert.deepEqual(pod.spec.initContainers, []);
      assert.deepEqual(pod.metadata.labels, {});
      assert.deepEqual(pod.metadata.annotations, {});
      assert.equal(pod.spec.qosClass, 'BestEffort');
    });

    it('leaves the UID unset when the manifest has none (the source derives it)', () => {
      assert.equal(pod.metadata.uid, undefined);
    });

    it('defaults the container terminationMessagePath to /dev/termination-log and lists to empty', () => {
      const [c] = pod.spec.containers;
      assert.equal(c.terminationMessagePath, '/dev/termination-log');
      assert.deepEqual([c.command, c.args, c.env, c.workingDir], [[], [], [], '']);
    });
  });

  describe('fields that flow through', () => {
    const pod = onlyPod(podYaml(
      [
        'restartPolicy: OnFailure',
        'terminationGracePeriodSeconds: 5',
        'hostNetwork: true',
        'initContainers:',
        '- name: setup',
        '  image: busybox',
        '  command: [sh, -c]',
        '  args: ["cp /a /b"]',
        'containers:',
        '- name: app',
        '  image: nginx',
        '  imagePullPolicy: Never',
        '  workingDir: /srv',
        '  env:',
        '  - name: MODE',
        '    value: "fast"',
      ].join('\n'),
      'name: web\nnamespace: kube-system\nuid: fixed-uid\nlabels:\n  app: web\n  tier: edge\nannotations:\n  example.com/owner: team-a',
    ));

    it('keeps restartPolicy, terminationGracePeriodSeconds and hostNetwork', () => {
      assert.deepEqual([pod.spec.restartPolicy, pod.spec.terminationGracePeriodSeconds, pod.spec.hostNetwork], ['OnFailure', 5, true]);
    });

    it('keeps namespace, uid, labels and annotations', () => {
      assert.equal(pod.metadata.namespace, 'kube-system');
      assert.equal(pod.metadata.uid, 'fixed-uid');
      assert.deepEqual(pod.metadata.labels, { app: 'web', tier: 'edge' });
      assert.deepEqual(pod.metadata.annotations, { 'example.com/owner': 'team-a' });
    });

    it('keeps init containers with their command and args, and an explicit imagePullPolicy', () => {
      assert.deepEqual(pod.spec.initContainers.map((c) => [c.name, c.image, c.imagePullPolicy, c.command, c.args]), [['setup', 'busybox', 'Always', ['sh', '-c'], ['cp /a /b']]]);
      assert.deepEqual([pod.spec.containers[0].imagePullPolicy, pod.spec.containers[0].workingDir, pod.spec.containers[0].env], ['Never', '/srv', [{ name: 'MODE', value: 'fast' }]]);
    });

    it('accepts terminationGracePeriodSeconds 0', () => {
      assert.equal(onlyPod(podYaml('terminationGracePeriodSeconds: 0\ncontainers:\n- name: app\n  image: nginx:1')).spec.terminationGracePeriodSeconds, 0);
    });

    it('derives the QoS class: requests only ⇒ Burstable, equal cpu and memory limits ⇒ Guaranteed', () => {
      assert.equal(onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1\n  resources:\n    requests:\n      cpu: 100m')).spec.qosClass, 'Burstable');
      assert.equal(onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1\n  resources:\n    limits:\n      cpu: 100m\n      memory: 64Mi')).spec.qosClass, 'Guaranteed');
    });

    it('reads YAML 1.1 like go-yaml v2: an unquoted yes is a boolean, and so is a key n (turned into "false")', () => {
      assert.equal(onlyPod(podYaml('hostNetwork: yes\ncontainers:\n- name: app\n  image: nginx:1')).spec.hostNetwork, true);
      assert.deepEqual(onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nlabels:\n  n: "x"')).metadata.labels, { false: 'x' });
    });
  });

  describe('imagePullPolicy default', () => {
    const cases: Array<[image: string, expected: 'Always' | 'IfNotPresent']> = [
      ['nginx', 'Always'],
      ['nginx:latest', 'Always'],
      ['docker.io/library/nginx', 'Always'],
      ['localhost:5000/team/app', 'Always'],
      ['localhost:5000/team/app:latest', 'Always'],
      ['nginx:1.27', 'IfNotPresent'],
      ['localhost:5000/team/app:v2', 'IfNotPresent'],
      [`nginx@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    ];
    for (const [image, expected] of cases) {
      it(`is ${expected} for ${image}`, () => {
        assert.equal(defaultPullPolicy(image), expected);
        assert.equal(onlyPod(podYaml(`containers:\n- name: app\n  image: "${image}"`)).spec.containers[0].imagePullPolicy, expected);
      });
    }
  });

  describe('one pod per file (sigs.k8s.io/yaml reads only the first document)', () => {
    const two = `${podYaml('containers:\n- name: a\n  image: nginx:1', 'name: first')}---\n${podYaml('containers:\n- name: b\n  image: nginx:2', 'name: second')}`;

    it('uses the first document and counts the ignored ones', () => {
      const { parsed, ignoredDocuments } = parsePodManifest(two);
      assert.equal(parsed.pod?.metadata.name, 'first');
      assert.equal(ignoredDocuments, 1);
    });

    it('never looks at a broken later document', () => {
      const { parsed } = parsePodManifest(`${podYaml('containers:\n- name: a\n  image: nginx:1', 'name: first')}---\nspec: [\n`);
      assert.equal(parsed.pod?.metadata.name, 'first');
    });

    it('treats an empty first document as no object (Object \'Kind\' is missing)', () => {
      assert.deepEqual(onlyErrors(`---\n---\n${podYaml('containers:\n- name: a\n  image: nginx:1')}`).map((e) => e.field), ['kind']);
    });

    it('parses a JSON manifest', () => {
      const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });
      assert.equal(onlyPod(json).metadata.name, 'j');
    });
  });

  describe('unknown fields (the universal decoder is not strict)', () => {
    it('accepts and drops fields the Pod schema does not know, at any depth', () => {
      const pod = onlyPod(podYaml('bogusSpecField: 1\ncontainers:\n- name: app\n  image: nginx:1\n  notAField: true', 'name: web\nmystery: x'));
      assert.equal(pod.metadata.name, 'web');
      assert.equal('bogusSpecField' in pod.spec, false);
    });
  });

  // Table: manifest → [field, detail pattern] for every error, in order. Each row is a mistake people make.
  const invalid: Array<{ name: string; yaml: string; errors: Array<[field: string, detail: RegExp]> }> = [
    { name: 'missing image', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n- name: sidecar'), errors: [['spec.containers[1].image', /^Required value \(set the image to run, e\.g\. image: nginx:1\.27\)$/]] },
    { name: 'blank image', yaml: podYaml('containers:\n- name: app\n  image: ""'), errors: [['spec.containers[0].image', /^Required value/]] },
    { name: 'image with spaces', yaml: podYaml('containers:\n- name: app\n  image: " nginx:1"'), errors: [['spec.containers[0].image', /^Invalid value: " nginx:1": must not have leading or trailing whitespace$/]] },
    { name: 'init container without image', yaml: podYaml('initContainers:\n- name: setup\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.initContainers[0].image', /^Required value/]] },
    { name: 'container without name (schema)', yaml: podYaml('containers:\n- image: nginx:1'), errors: [['spec.containers[0].name', /^Required value \(give the container a name/]] },
    { name: 'bad restartPolicy', yaml: podYaml('restartPolicy: Sometimes\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.restartPolicy', /^Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"$/]] },
    { name: 'bad imagePullPolicy', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n  imagePullPolicy: Sometimes'), errors: [['spec.containers[0].imagePullPolicy', /^Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"$/]] },
    { name: 'duplicate container name', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n- name: app\n  image: nginx:2'), errors: [['spec.containers[1].name', /^Duplicate value: "app"/]] },
    { name: 'init container named like an app container', yaml: podYaml('initContainers:\n- name: app\n  image: busybox:1\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.initContainers[0].name', /^Duplicate value: "app"/]] },
    { name: 'container name not a DNS label', yaml: podYaml('containers:\n- name: My_App\n  image: nginx:1'), errors: [['spec.containers[0].name', /^Invalid value: "My_App": a lowercase RFC 1123 label/]] },
    { name: 'annotation value not a string', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nannotations:\n  prometheus.io/port: 8080'), errors: [['metadata.annotations[prometheus.io/port]', /^Invalid value: 8080: must be a string \(quote it in YAML\)$/]] },
    { name: 'label value not a string', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nlabels:\n  enabled: true'), errors: [['metadata.labels[enabled]', /^Invalid value: true: must be a string/]] },
    { name: 'label value with a space', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nlabels:\n  team: "blue team"'), errors: [['metadata.labels[team]', /^Invalid value: "blue team": a valid label must be/]] },
    { name: 'label key with two slashes', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nlabels:\n  a/b/c: x'), errors: [['metadata.labels', /^Invalid value: "a\/b\/c": a qualified name/]] },
    { name: 'env value a number', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n  env:\n  - name: PORT\n    value: 8080'), errors: [['spec.containers[0].env[0].value', /^Invalid value: 8080: must be a string/]] },
    { name: 'command a string, not a list', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n  command: sleep 1'), errors: [['spec.containers[0].command', /^Invalid value: "sleep 1": must be a list$/]] },
    { name: 'grace period negative', yaml: podYaml('terminationGracePeriodSeconds: -1\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.terminationGracePeriodSeconds', /^Invalid value: -1: must be greater than or equal to 0$/]] },
    { name: 'grace period a float', yaml: podYaml('terminationGracePeriodSeconds: 1.5\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.terminationGracePeriodSeconds', /^Invalid value: 1\.5: must be an integer$/]] },
    { name: 'hostNetwork a quoted string', yaml: podYaml('hostNetwork: "yes"\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.hostNetwork', /^Invalid value: "yes": must be a boolean \(true or false\)$/]] },
    { name: 'restartPolicy on an app container', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n  restartPolicy: Always'), errors: [['spec.containers[0].restartPolicy', /^Forbidden: may not be set for non-init containers$/]] },
    { name: 'missing name', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'labels: {}'), errors: [['metadata.name', /^Required value: name is needed for the pod/]] },
    { name: 'name not a DNS subdomain', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'name: Web_1'), errors: [['metadata.name', /^Invalid value: "Web_1": a lowercase RFC 1123 subdomain/]] },
    { name: 'namespace not a DNS label', yaml: podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nnamespace: Kube.System'), errors: [['metadata.namespace', /^Invalid value: "Kube\.System": a lowercase RFC 1123 label/]] },
    { name: 'no spec', yaml: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n', errors: [['spec.containers', /^Required value \(a pod needs at least one container/]] },
    { name: 'empty containers', yaml: podYaml('containers: []'), errors: [['spec.containers', /^Required value/]] },
    { name: 'wrong kind and apiVersion', yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n', errors: [['apiVersion', /^Unsupported value: "apps\/v1": supported values: "v1"$/], ['kind', /^Unsupported value: "Deployment": supported values: "Pod"/]] },
    { name: 'no kind', yaml: 'apiVersion: v1\nmetadata:\n  name: web\n', errors: [['kind', /^Required value: Object 'Kind' is missing/]] },
    { name: 'a list, not a mapping', yaml: '- just\n- a list\n', errors: [['kind', /^Required value: the file holds a list, not a Pod/]] },
    { name: 'service account (PreventStaticPodAPIReferences)', yaml: podYaml('serviceAccountName: builder\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.serviceAccountName', /^Forbidden: static pods may not reference serviceaccounts/]] },
    { name: 'secret env (PreventStaticPodAPIReferences)', yaml: podYaml('containers:\n- name: app\n  image: nginx:1\n  env:\n  - name: TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: s\n        key: k'), errors: [['spec.containers[0].env[0].valueFrom.secretKeyRef', /^Forbidden: static pods may not reference secrets/]] },
    { name: 'configMap volume (PreventStaticPodAPIReferences)', yaml: podYaml('volumes:\n- name: cfg\n  configMap:\n    name: c\ncontainers:\n- name: app\n  image: nginx:1'), errors: [['spec.volumes[0].configMap', /^Forbidden: static pods may not reference configmaps/]] },
  ];

  describe('rejects invalid manifests, naming the field and the fix', () => {
    for (const row of invalid) {
      it(`reports ${row.name}`, () => {
        const errors = onlyErrors(row.yaml);
        assert.deepEqual(errors.map((e) => e.field), row.errors.map(([field]) => field), JSON.stringify(errors));
        errors.forEach((e, i) => assert.match(e.detail, row.errors[i][1]));
      });
    }

    it('reports several problems at once, formatted `<file>: <field>: <detail>; ...`', () => {
      const errors = onlyErrors(podYaml('restartPolicy: Sometimes\ncontainers:\n- name: app', 'name: web\nannotations:\n  note: 1'));
      assert.deepEqual(errors.map((e) => e.field).sort(), ['metadata.annotations[note]', 'spec.containers[0].image', 'spec.restartPolicy']);
      const message = new PodManifestError(SOURCE, errors).message;
      assert.ok(message.startsWith(`${SOURCE}: `));
      assert.equal(message.split('; ').length, 3);
      assert.match(message, /spec\.containers\[0\]\.image: Required value \(set the image to run/);
    });

    it('reports unparsable YAML with the parser message and no field', () => {
      const errors = onlyErrors('apiVersion: v1\nkind: Pod\nmetadata: {name: web\nspec: [');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].field, '');
      assert.match(errors[0].detail, /^couldn't parse as pod \(YAML: \S.*\): fix the YAML syntax$/);
      assert.equal(new PodManifestError(SOURCE, errors).message, `${SOURCE}: ${errors[0].detail}`);
    });
  });
});

describe('toFieldPath', () => {
  const root = { metadata: { labels: { 'app.kubernetes.io/name': 1 } }, spec: { containers: [{ env: [{ value: 2 }] }] } };
  const cases: Array<[pointer: string, path: string, value: unknown]> = [
    ['', '', root],
    ['/spec/containers/0/env/0/value', 'spec.containers[0].env[0].value', 2],
    ['/metadata/labels/app.kubernetes.io~1name', 'metadata.labels[app.kubernetes.io/name]', 1],
  ];
  for (const [pointer, path, value] of cases) {
    it(`turns ${JSON.stringify(pointer)} into ${JSON.stringify(path)}`, () => {
      assert.deepEqual(toFieldPath(pointer, root), { path, value });
    });
  }
});
