/**
 * The benchmark's floor on the client side: a bare @grpc/grpc-js client on our CRI proto (proto-loader with
 * the same options, default channel options, no interceptors, no Go-wire serializers), offering the calls of
 * the pod lifecycle mix with kubelet-sim's client signatures so cri-load-client.ts drives both alike.
 */
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { CRI_PROTO_PATH, PROTO_LOADER_OPTIONS, criEndpointToTarget } from '../../cri-proto/src/load-cri';
import type { LifecycleCalls } from './cri-load-client';

type Callback = (err: grpc.ServiceError | null, response: Record<string, unknown>) => void;
type UnaryMethod = (request: object, callback: Callback) => unknown;
type BareClient = grpc.Client & Record<string, UnaryMethod>;

/** Loads grpc-js only when called: in a sim run of the same load client the instrumentation must load it first. */
export function connectRawCriClient(endpoint: string): LifecycleCalls & { close(): void } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const definition = protoLoader.loadSync(CRI_PROTO_PATH, { ...PROTO_LOADER_OPTIONS });
  const target = criEndpointToTarget(endpoint);
  const Runtime = grpc.makeGenericClientConstructor(definition['runtime.v1.RuntimeService'] as grpc.ServiceDefinition, 'RuntimeService');
  const Image = grpc.makeGenericClientConstructor(definition['runtime.v1.ImageService'] as grpc.ServiceDefinition, 'ImageService');
  const runtime = new Runtime(target, grpc.credentials.createInsecure()) as unknown as BareClient;
  const image = new Image(target, grpc.credentials.createInsecure()) as unknown as BareClient;
  const call = (client: BareClient, method: string, request: object): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      client[method](request, (err, response) => (err ? reject(err) : resolve(response)));
    });
  return {
    runPodSandbox: async (config, runtimeHandler) => (await call(runtime, 'RunPodSandbox', { config, runtime_handler: runtimeHandler })).pod_sandbox_id as string,
    podSandboxStatus: async (podSandboxId) => (await call(runtime, 'PodSandboxStatus', { pod_sandbox_id: podSandboxId })) as never,
    imageStatus: async (spec) => (await call(image, 'ImageStatus', { image: spec })) as never,
    createContainer: async (podSandboxId, config, sandboxConfig) =>
      (await call(runtime, 'CreateContainer', { pod_sandbox_id: podSandboxId, config, sandbox_config: sandboxConfig })).container_id as string,
    startContainer: async (containerId) => void (await call(runtime, 'StartContainer', { container_id: containerId })),
    stopContainer: async (containerId, timeout) => void (await call(runtime, 'StopContainer', { container_id: containerId, timeout })),
    stopPodSandbox: async (podSandboxId) => void (await call(runtime, 'StopPodSandbox', { pod_sandbox_id: podSandboxId })),
    removeContainer: async (containerId) => void (await call(runtime, 'RemoveContainer', { container_id: containerId })),
    removePodSandbox: async (podSandboxId) => void (await call(runtime, 'RemovePodSandbox', { pod_sandbox_id: podSandboxId })),
    close: () => {
      runtime.close();
      image.close();
    },
  };
}
