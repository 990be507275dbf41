import { GRPC_STATUS } from '../../../cri-proto/src/grpc-status';
import type { Logger } from '../util/logger';
import type { ImageService, RuntimeService } from './runtime-service';
import { CriCallError } from './runtime-service';

/**
 * What a kubelet asks the runtime before anything else, in order, each a root CLIENT span (no context
 * carries a span at start-up):
 * 1. PreInitRuntimeService (kubelet.go) builds the CRI clients: k8s.io/cri-client NewRemoteRuntimeService
 *    checks the connection with Version and an empty VersionRequest, NewRemoteImageService with ImageFsInfo
 *    (remote_runtime.go, remote_image.go validateServiceConnection, read at cri-client v0.34.0);
 * 2. with KubeletCgroupDriverFromCRI (GA and locked on at 1.34) cmd/kubelet/app/server.go
 *    getCgroupDriverFromCRI asks RuntimeConfig; its retry loop has no break after a success, so a runtime that
 *    answers is asked three times; an error other than UNIMPLEMENTED is retried after 2 s, UNIMPLEMENTED
 *    (containerd 1.6) keeps the configured cgroupDriver;
 * 3. NewKubeGenericRuntimeManager then asks Version with kuberuntime's API version "0.1.0" (the Kubelet does it).
 * Steps 1 and 2 go to kubeDeps.RemoteRuntimeService / RemoteImageService, so they are not counted in
 * kubelet_runtime_operations_total.
 */
export const CGROUP_DRIVER_FROM_CRI = {
  ATTEMPTS: 3,
  RETRY_DELAY_MS: 2_000,
} as const;

export type CgroupDriver = 'systemd' | 'cgroupfs';

/** The connection checks of cri-client's NewRemoteRuntimeService and NewRemoteImageService. */
export async function validateServiceConnections(runtime: Pick<RuntimeService, 'version'>, images: Pick<ImageService, 'imageFsInfo'>, endpoint: string): Promise<void> {
  try {
    await runtime.version();
  } catch (err) {
    throw new Error(`validate service connection: validate CRI v1 runtime API for endpoint ${JSON.stringify(endpoint)}: ${(err as Error).message}`);
  }
  try {
    await images.imageFsInfo();
  } catch (err) {
    throw new Error(`validate service connection: validate CRI v1 image API for endpoint ${JSON.stringify(endpoint)}: ${(err as Error).message}`);
  }
}

/**
 * getCgroupDriverFromCRI: the runtime's cgroup driver, or undefined to keep the configured one (the runtime
 * does not implement RuntimeConfig, or sent no linux section). Throws when every attempt failed.
 */
export async function getCgroupDriverFromCri(
  runtime: Pick<RuntimeService, 'runtimeConfig'>,
  sleep: (ms: number) => Promise<void>,
  log: Logger,
): Promise<CgroupDriver | undefined> {
  let lastError: Error | undefined;
  let config: Awaited<ReturnType<RuntimeService['runtimeConfig']>> | undefined;
  for (let i = 0; i < CGROUP_DRIVER_FROM_CRI.ATTEMPTS; i++) {
    try {
      config = await runtime.runtimeConfig();
      lastError = undefined;
    } catch (err) {
      if (err instanceof CriCallError && err.code === GRPC_STATUS.UNIMPLEMENTED) {
        log.info('"CRI implementation should be updated to support RuntimeConfig when KubeletCgroupDriverFromCRI feature gate has been enabled. Falling back to using cgroupDriver from kubelet config."');
        return undefined;
      }
      lastError = err as Error;
      await sleep(CGROUP_DRIVER_FROM_CRI.RETRY_DELAY_MS);
    }
  }
  if (lastError !== undefined || config === undefined) throw lastError ?? new Error('RuntimeConfig returned nothing');
  const linux = config.linux;
  if (linux === null) return undefined;
  const driver = linux.cgroup_driver as string | number;
  if (driver === 'SYSTEMD' || driver === 0) return 'systemd';
  if (driver === 'CGROUPFS' || driver === 1) return 'cgroupfs';
  throw new Error(`runtime returned an unknown cgroup driver ${driver}`);
}
