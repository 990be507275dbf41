/**
 * The part of a core/v1 Pod the kubelet-sim acts on (k8s.io/api core/v1 types.go field names).
 * Manifests are parsed into this shape by pod-sources/pod-manifest.ts; defaults are already applied.
 */
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** core/v1 SeccompProfile (pod or container securityContext.seccompProfile). */
export interface SeccompProfile {
  type: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  /** Only for Localhost: a path relative to the kubelet's seccomp profile root. */
  localhostProfile?: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  imagePullPolicy: PullPolicy;
  command: string[];
  args: string[];
  workingDir: string;
  env: Array<{ name: string; value: string }>;
  /** Only init containers: `restartPolicy: Always` makes a sidecar (not emulated yet; rejected at parse). */
  terminationMessagePath: string;
  /** securityContext.seccompProfile; absent ⇒ the pod's, else the kubelet's default (seccompDefault). */
  seccompProfile?: SeccompProfile;
}

export interface Pod {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** Set by the API server when a pod from it is being deleted (graceful deletion). */
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
  };
  spec: {
    initContainers: ContainerSpec[];
    containers: ContainerSpec[];
    restartPolicy: RestartPolicy;
    hostNetwork: boolean;
    terminationGracePeriodSeconds: number;
    hostname: string;
    subdomain: string;
    /** Pod QoS class, decided from resources; BestEffort when none are set (pkg/apis/core/v1/helper/qos). */
    qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort';
    /** spec.securityContext.seccompProfile, used by containers that set none of their own. */
    seccompProfile?: SeccompProfile;
  };
}

/** `namespace/name`, the kubelet's `format.Pod`-style key and the value of the `k8s.pod` span attribute. */
export function podFullName(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
