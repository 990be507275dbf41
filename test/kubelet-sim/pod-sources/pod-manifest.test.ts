import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestError, ParsedManifest } from '../../../kubelet-sim/src/pod-sources/pod-manifest';
import { defaultPullPolicy, parsePodManifests, PodManifestError } from '../../../kubelet-sim/src/pod-sources/pod-manifest';

const SOURCE = '/etc/kubernetes/manifests/web.yaml';

function podYaml(spec: string, metadata = 'name: web'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n${indent(metadata, 2)}\nspec:\n${indent(spec, 2)}\n`;
}

function indent(text: string, n: number): string {
  return text.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}

function onlyPod(text: string): NonNullable<ParsedManifest['pod']> {
  const parsed = parsePodManifests(text, SOURCE);
  assert.equal(parsed.length, 1);
  const [first] = parsed;
  assert.equal(first.errors, undefined, `unexpected errors: ${JSON.stringify(first.errors)}`);
  return first.pod!;
}

function onlyErrors(text: string): ManifestError[] {
  const parsed = parsePodManifests(text, SOURCE);
  assert.equal(parsed.length, 1);
  assert.ok(parsed[0].errors, 'expected the document to be rejected');
  return parsed[0].errors;
}

function errorText(errors: ManifestError[]): string {
  return new PodManifestError(SOURCE, errors).message;
}

describe('parsePodManifests', () => {
  describe('defaults (pkg/apis/core/v1/defaults.go)', () => {
    const pod = onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1.27'));

    it('puts a pod without a namespace in "default"', () => {
      assert.equal(pod.metadata.namespace, 'default');
    });

    it('defaults restartPolicy to Always', () => {
      assert.equal(pod.spec.restartPolicy, 'Always');
    });

    it('defaults terminationGracePeriodSeconds to 30', () => {
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

    it('keeps explicit values over the defaults', () => {
      const explicit = onlyPod(podYaml('restartPolicy: OnFailure\nterminationGracePeriodSeconds: 5\nhostNetwork: true\ncontainers:\n- name: app\n  image: nginx\n  imagePullPolicy: Never', 'name: web\nnamespace: kube-system\nuid: fixed-uid'));
      assert.equal(explicit.metadata.namespace, 'kube-system');
      assert.equal(explicit.metadata.uid, 'fixed-uid');
      assert.equal(explicit.spec.restartPolicy, 'OnFailure');
      assert.equal(explicit.spec.terminationGracePeriodSeconds, 5);
      assert.equal(explicit.spec.hostNetwork, true);
      assert.equal(explicit.spec.containers[0].imagePullPolicy, 'Never');
    });

    it('accepts terminationGracePeriodSeconds 0', () => {
      assert.equal(onlyPod(podYaml('terminationGracePeriodSeconds: 0\ncontainers:\n- name: app\n  image: nginx:1')).spec.terminationGracePeriodSeconds, 0);
    });

    it('makes a pod with resource requests Burstable', () => {
      const burstable = onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1\n  resources:\n    requests:\n      cpu: 100m'));
      assert.equal(burstable.spec.qosClass, 'Burstable');
    });

    it('turns env values into strings and keeps the order of env, command and args', () => {
      const withEnv = onlyPod(podYaml('containers:\n- name: app\n  image: nginx:1\n  command: [sh, -c]\n  args: ["sleep 1"]\n  env:\n  - name: A\n    value: 1\n  - name: B'));
      const [c] = withEnv.spec.containers;
      assert.deepEqual(c.env, [{ name: 'A', value: '1' }, { name: 'B', value: '' }]);
      assert.deepEqual(c.command, ['sh', '-c']);
      assert.deepEqual(c.args, ['sleep 1']);
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
        const pod = onlyPod(podYaml(`containers:\n- name: app\n  image: "${image}"`));
        assert.equal(pod.spec.containers[0].imagePullPolicy, expected);
      });
    }

    it('applies to init containers too', () => {
      const pod = onlyPod(podYaml('initContainers:\n- name: setup\n  image: busybox\ncontainers:\n- name: app\n  image: nginx:1'));
      assert.equal(pod.spec.initContainers[0].imagePullPolicy, 'Always');
      assert.equal(pod.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    });
  });

  describe('multi-document YAML', () => {
    const two = `${podYaml('containers:\n- name: a\n  image: nginx:1', 'name: first')}---\n${podYaml('containers:\n- name: b\n  image: nginx:2', 'name: second')}---\n`;

    it('returns one result per document, in order, skipping an empty trailing document', () => {
      const parsed = parsePodManifests(two, SOURCE);
      assert.deepEqual(parsed.map((p) => p.pod?.metadata.name), ['first', 'second']);
    });

    it('rejects one broken document without dropping its neighbours', () => {
      const mixed = `${podYaml('containers:\n- name: a', 'name: broken')}---\n${podYaml('containers:\n- name: b\n  image: nginx:2', 'name: good')}`;
      const parsed = parsePodManifests(mixed, SOURCE);
      assert.equal(parsed.length, 2);
      assert.ok(parsed[0].errors);
      assert.equal(parsed[1].pod?.metadata.name, 'good');
    });

    it('parses a JSON manifest (YAML is a superset)', () => {
      const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'j' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });
      assert.equal(onlyPod(json).metadata.name, 'j');
    });
  });

  describe('errors name the field path', () => {
    it('reports a missing image as spec.containers[i].image: Required value', () => {
      const errors = onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1\n- name: sidecar'));
      assert.deepEqual(errors, [{ field: 'spec.containers[1].image', detail: 'Required value' }]);
      assert.equal(errorText(errors), `${SOURCE}: invalid pod manifest: spec.containers[1].image: Required value`);
    });

    it('reports a blank image as missing', () => {
      assert.deepEqual(onlyErrors(podYaml('containers:\n- name: app\n  image: "  "')).map((e) => e.field), ['spec.containers[0].image']);
    });

    it('reports a missing init container image under spec.initContainers', () => {
      const errors = onlyErrors(podYaml('initContainers:\n- name: setup\ncontainers:\n- name: app\n  image: nginx:1'));
      assert.deepEqual(errors.map((e) => e.field), ['spec.initContainers[0].image']);
    });

    it('reports a bad restartPolicy with the supported values', () => {
      const errors = onlyErrors(podYaml('restartPolicy: Sometimes\ncontainers:\n- name: app\n  image: nginx:1'));
      assert.deepEqual(errors, [{ field: 'spec.restartPolicy', detail: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' }]);
    });

    it('reports a duplicate container name at the second occurrence', () => {
      const errors = onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1\n- name: app\n  image: nginx:2'));
      assert.deepEqual(errors, [{ field: 'spec.containers[1].name', detail: 'Duplicate value: "app"' }]);
    });

    it('reports the index of the duplicate in the manifest even when an earlier container was invalid', () => {
      const errors = onlyErrors(podYaml('containers:\n- name: a\n- name: b\n  image: nginx:1\n- name: b\n  image: nginx:2'));
      assert.deepEqual(errors.map((e) => e.field).sort(), ['spec.containers[0].image', 'spec.containers[2].name']);
    });

    it('reports an init container clashing with an app container at the init container (validateInitContainers)', () => {
      const errors = onlyErrors(podYaml('initContainers:\n- name: app\n  image: busybox:1\ncontainers:\n- name: app\n  image: nginx:1'));
      assert.deepEqual(errors, [{ field: 'spec.initContainers[0].name', detail: 'Duplicate value: "app"' }]);
    });

    it('reports a non-string annotation value by its key, suggesting quotes', () => {
      const errors = onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nannotations:\n  prometheus.io/port: 8080'));
      assert.deepEqual(errors, [{ field: 'metadata.annotations[prometheus.io/port]', detail: 'Invalid value: 8080: must be a string (quote it in YAML)' }]);
    });

    it('reports a non-string label value the same way', () => {
      const errors = onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1', 'name: web\nlabels:\n  enabled: true'));
      assert.deepEqual(errors.map((e) => e.field), ['metadata.labels[enabled]']);
    });

    it('reports unparsable YAML against <document> with the parser message', () => {
      const parsed = parsePodManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: web\nspec: [', SOURCE);
      assert.equal(parsed.length, 1);
      const errors = parsed[0].errors!;
      assert.ok(errors.length >= 1);
      for (const e of errors) {
        assert.equal(e.field, '<document>');
        assert.match(e.detail, /^YAML: \S/);
        assert.ok(!e.detail.includes('\n'), 'only the first line of the parser message');
      }
    });

    it('reports a document that is not a mapping', () => {
      assert.deepEqual(onlyErrors('- just\n- a list\n'), [{ field: '<document>', detail: 'expected a Pod object' }]);
    });

    it('reports apiVersion and kind other than v1 Pod', () => {
      const errors = onlyErrors('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx:1\n');
      assert.deepEqual(errors.map((e) => e.field), ['apiVersion', 'kind']);
      assert.equal(errors[0].detail, 'Unsupported value: "apps/v1": supported values: "v1"');
    });

    it('reports a missing name and an invalid one', () => {
      assert.deepEqual(onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1', 'labels: {}')).map((e) => e.field), ['metadata.name']);
      const bad = onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1', 'name: Web_1'));
      assert.equal(bad[0].field, 'metadata.name');
      assert.match(bad[0].detail, /^Invalid value: "Web_1": a lowercase RFC 1123 subdomain/);
    });

    it('reports a missing spec, and a spec without containers', () => {
      assert.deepEqual(onlyErrors('apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n'), [{ field: 'spec', detail: 'Required value' }]);
      assert.deepEqual(onlyErrors(podYaml('restartPolicy: Always')), [{ field: 'spec.containers', detail: 'Required value' }]);
    });

    it('reports a negative grace period and a non-boolean hostNetwork', () => {
      const errors = onlyErrors(podYaml('terminationGracePeriodSeconds: -1\nhostNetwork: "yes"\ncontainers:\n- name: app\n  image: nginx:1'));
      assert.deepEqual(errors.map((e) => e.field), ['spec.terminationGracePeriodSeconds', 'spec.hostNetwork']);
    });

    it('reports an unknown imagePullPolicy and a sidecar restartPolicy on the container', () => {
      const errors = onlyErrors(podYaml('containers:\n- name: app\n  image: nginx:1\n  imagePullPolicy: Sometimes\n  restartPolicy: Always'));
      assert.deepEqual(errors.map((e) => e.field), ['spec.containers[0].imagePullPolicy', 'spec.containers[0].restartPolicy']);
    });

    it('reports every problem of a document at once, joined with "; "', () => {
      const errors = onlyErrors(podYaml('restartPolicy: Sometimes\ncontainers:\n- name: app', 'name: web\nannotations:\n  n: 1'));
      assert.deepEqual(errors.map((e) => e.field), ['metadata.annotations[n]', 'spec.containers[0].image', 'spec.restartPolicy']);
      assert.equal(errorText(errors).split('; ').length, 3);
    });
  });
});
