/** The kubelet's CRI dial back-off (k8s.io/cri-client pkg/remote_runtime.go NewRemoteRuntimeService). */
export const CRI_DIAL_BACKOFF = {
  BASE_DELAY_MS: 100,
  MULTIPLIER: 1.6,
  JITTER: 0.2,
  MAX_DELAY_MS: 3_000,
  MIN_CONNECT_TIMEOUT_MS: 5_000,
} as const;
