/**
 * The benchmark's floor: a bare @grpc/grpc-js server on our CRI proto (proto-loader with the same options,
 * no Go-wire serializers, no interceptors, no tracing, no state) answering the pod lifecycle mix's nine
 * methods with fixed responses shaped like runtime-sim's, on a unix socket bound by grpc-js itself.
 * Whatever runtime-sim costs above this is the emulator's own. Not a test: started by tracing-overhead.bench.ts
 * as `node raw-cri-server.js <socket path>`; prints "ready" on stdout once it serves.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CRI_PROTO_PATH, PROTO_LOADER_OPTIONS } from '../../cri-proto/src/load-cri';

const SANDBOX_ID = 'a'.repeat(64);
const CONTAINER_ID = 'b'.repeat(64);
const IMAGE_ID = 'sha256:' + 'c'.repeat(64);
const CREATED_AT = '1764824400000000000';

/** What runtime-sim's PodSandboxStatus for a bench pod carries (ids, metadata, network, namespaces, labels). */
const SANDBOX_STATUS = {
  status: {
    id: SANDBOX_ID,
    metadata: { name: 'bench-0', uid: '00000000-0000-4000-8000-000000000000', namespace: 'bench', attempt: 0 },
    state: 'SANDBOX_READY',
    created_at: CREATED_AT,
    network: { ip: '10.88.0.2', additional_ips: [] },
    linux: { namespaces: { options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD', target_id: '', userns_options: null } } },
    labels: { app: 'bench', 'io.kubernetes.pod.name': 'bench-0', 'io.kubernetes.pod.namespace': 'bench', 'io.kubernetes.pod.uid': '00000000-0000-4000-8000-000000000000' },
    annotations: { 'kubernetes.io/config.seen': '2026-12-04T00:00:00Z', 'kubernetes.io/config.source': 'file' },
    runtime_handler: '',
  },
  info: {},
  containers_statuses: [],
  timestamp: CREATED_AT,
};

const IMAGE_STATUS = {
  image: {
    id: IMAGE_ID,
    repo_tags: ['registry.k8s.io/pause:3.10'],
    repo_digests: ['registry.k8s.io/pause@sha256:' + 'd'.repeat(64)],
    size: '736000',
    uid: { value: '65535' },
    username: '',
    spec: { image: 'registry.k8s.io/pause:3.10', annotations: {} },
    pinned: true,
  },
  info: {},
};

type Unary = grpc.handleUnaryCall<unknown, unknown>;
const answer = (response: unknown): Unary => (_call, callback) => callback(null, response);

const RUNTIME_HANDLERS: Record<string, Unary> = {
  RunPodSandbox: answer({ pod_sandbox_id: SANDBOX_ID }),
  PodSandboxStatus: answer(SANDBOX_STATUS),
  CreateContainer: answer({ container_id: CONTAINER_ID }),
  StartContainer: answer({}),
  StopContainer: answer({}),
  StopPodSandbox: answer({}),
  RemoveContainer: answer({}),
  RemovePodSandbox: answer({}),
};

async function main(): Promise<void> {
  const socketPath = process.argv[2];
  if (socketPath === undefined || !socketPath.startsWith('/')) throw new Error('usage: raw-cri-server <absolute socket path>');
  const definition = protoLoader.loadSync(CRI_PROTO_PATH, { ...PROTO_LOADER_OPTIONS });
  const server = new grpc.Server();
  server.addService(definition['runtime.v1.RuntimeService'] as grpc.ServiceDefinition, RUNTIME_HANDLERS);
  server.addService(definition['runtime.v1.ImageService'] as grpc.ServiceDefinition, { ImageStatus: answer(IMAGE_STATUS) });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  process.stdout.write('ready\n');
  const stop = (): void => server.tryShutdown(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`raw-cri-server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
