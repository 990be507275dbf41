// Builders shared by the kubelet-sim unit tests: pods with the parser's defaults applied, runtime-side
// PodStatus values, a tracer that keeps spans in memory, and a helper to drain pending promise work.
import { IMMEDIATE_TURNS } from '../../cri-proto/src/transport/loop-turns';
import { FakeOS } from '../../kubelet-sim/src/container/os-interface';
import type { KubeletSettings } from '../../kubelet-sim/src/kubelet';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracer } from '@opentelemetry/api';
import type { ContainerSpec, Pod, RestartPolicy } from '../../kubelet-sim/src/container/pod';
import type { ContainerStatus, PodStatus, SandboxStatus } from '../../kubelet-sim/src/container/pod-status';
import type { KubeRuntimeManagerOptions } from '../../kubelet-sim/src/kuberuntime/kuberuntime-manager';

export const POD_UID = '3f1c2a9e-6c1b-4b8e-9a57-0d2f1e4c5b6a';

export function container(name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    name,
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
    imagePullPolicy: 'IfNotPresent',
    command: [],
    args: [],
    workingDir: '',
    env: [],
    terminationMessagePath: '/dev/termination-log',
    ...overrides,
  };
}

export interface PodOverrides {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  restartPolicy?: RestartPolicy;
  hostNetwork?: boolean;
  terminationGracePeriodSeconds?: number;
  qosClass?: Pod['spec']['qosClass'];
}

export function makePod(o: PodOverrides = {}): Pod {
  return {
    metadata: {
      name: o.name ?? 'web',
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? POD_UID,
      labels: o.labels ?? { app: 'web' },
      annotations: o.annotations ?? {},
    },
    spec: {
      initContainers: o.initContainers ?? [],
      containers: o.containers ?? [container('app')],
      restartPolicy: o.restartPolicy ?? 'Always',
      hostNetwork: o.hostNetwork ?? false,
      terminationGracePeriodSeconds: o.terminationGracePeriodSeconds ?? 30,
      hostname: '',
      subdomain: '',
      qosClass: o.qosClass ?? 'BestEffort',
    },
  };
}

export function readySandbox(overrides: Partial<SandboxStatus> = {}): SandboxStatus {
  return { id: 'sandbox-1', ready: true, attempt: 0, createdAtMs: 1_000, ip: '10.88.0.2', hostNetwork: false, ...overrides };
}

export function containerStatus(name: string, state: ContainerStatus['state'], overrides: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: `${name}-id`,
    name,
    state,
    createdAtMs: 1_000,
    startedAtMs: state === 'created' ? 0 : 1_000,
    finishedAtMs: state === 'exited' ? 2_000 : 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
    imageRef: 'sha256:' + 'ab'.repeat(32),
    restartCount: 0,
    ...overrides,
  };
}

export function podStatus(sandboxes: SandboxStatus[], containers: ContainerStatus[] = [], pod: Pod = makePod()): PodStatus {
  return { uid: pod.metadata.uid, name: pod.metadata.name, namespace: pod.metadata.namespace, sandboxStatuses: sandboxes, containerStatuses: containers };
}

export const MANAGER_OPTIONS: KubeRuntimeManagerOptions = {
  runtimeHandler: '',
  podLogsDir: '/var/log/pods',
  os: new FakeOS(),
  cgroupDriver: 'cgroupfs',
  cgroupRoot: '/',
};

export interface MemoryTracer {
  tracer: Tracer;
  exporter: InMemorySpanExporter;
}

/** A real SDK tracer whose ended spans land in memory at once. */
export function memoryTracer(scope = 'kubelet-sim-test'): MemoryTracer {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer(scope), exporter };
}

/** Lets every promise continuation that is already queued run (no real time passes). */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise(setImmediate);
}

/** KubeletSettings with the kubelet's defaults (1 s PLEG, 1 min sync and container GC, 5 min image GC) and an in-memory OS. */
export function kubeletSettings(overrides: Partial<KubeletSettings> = {}): KubeletSettings {
  return {
    os: new FakeOS(),
    nodeName: 'node-a',
    // Tests step a fake clock and flush a fixed number of turns: no turn-taking between pod workers.
    loopTurns: IMMEDIATE_TURNS,
    staticPodPath: undefined,
    fileCheckFrequencyMs: 20_000,
    syncFrequencyMs: 60_000,
    runtimeApiVersion: '0.1.0',
    runtimeHandler: '',
    podLogsDir: '/var/log/pods',
    cgroupDriver: 'cgroupfs',
    cgroupRoot: '/',
    serializeImagePulls: true,
    maxParallelImagePulls: 0,
    containerGCPeriodMs: 60_000,
    imageGCPeriodMs: 300_000,
    imageGCPolicy: { highThresholdPercent: 85, lowThresholdPercent: 80, minAgeMs: 120_000, maxAgeMs: 0 },
    imageFsCapacityBytes: 100 * 1024 ** 3,
    plegRelistPeriodMs: 1_000,
    ...overrides,
  };
}
