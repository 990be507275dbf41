import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Long-running server images of runtime-sim's built-in catalog, used in turn by the synthetic pods. */
const SERVER_IMAGES = [
  'docker.io/library/nginx:1.27',
  'docker.io/library/redis:7.4',
  'registry.k8s.io/coredns/coredns:v1.11.3',
  'quay.io/prometheus/node-exporter:v1.9.1',
  'docker.io/library/postgres:17.4',
] as const;

/**
 * Writes `count` plain static pod manifests (pod-001 …) into `dir`: one long-running container each, images
 * taken in turn from SERVER_IMAGES, so a fleet's nodes each hold `count` steady pods. Returns `dir`.
 */
export function writeSyntheticPods(dir: string, count: number): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const name = `pod-${String(i).padStart(3, '0')}`;
    const image = SERVER_IMAGES[(i - 1) % SERVER_IMAGES.length];
    writeFileSync(join(dir, `${name}.yaml`), [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      `  name: ${name}`,
      '  namespace: default',
      '  labels:',
      `    app: ${name}`,
      'spec:',
      '  containers:',
      '    - name: main',
      `      image: ${image}`,
      '      imagePullPolicy: IfNotPresent',
      '',
    ].join('\n'));
  }
  return dir;
}
