import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OSInterface } from '../container/os-interface';
import type { RuntimeService } from '../cri/runtime-service';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

/** File name parts of rotated logs (pkg/kubelet/logs/container_log_manager.go constants). */
export const ROTATED_LOG = {
  COMPRESS_SUFFIX: '.gz',
  TMP_SUFFIX: '.tmp',
} as const;

/** KubeletConfiguration defaults (pkg/kubelet/apis/config/v1beta1/defaults.go). */
export const CONTAINER_LOG_DEFAULTS = {
  MAX_SIZE: '10Mi',
  MAX_FILES: 5,
  MAX_WORKERS: 1,
  MONITOR_INTERVAL_MS: 10_000,
} as const;

/** The rotation policy (LogRotatePolicy) plus how the manager runs (containerLogMaxWorkers, containerLogMonitorInterval). */
export interface ContainerLogManagerPolicy {
  /** containerLogMaxSize in bytes; negative turns rotation off (NewStubContainerLogManager). */
  maxSizeBytes: number;
  /** containerLogMaxFiles: the live log plus at most maxFiles-1 rotated ones (one of them uncompressed). */
  maxFiles: number;
  maxWorkers: number;
  monitorIntervalMs: number;
}

/**
 * The kubelet's container log manager (pkg/kubelet/logs/container_log_manager.go). Every
 * containerLogMonitorInterval (first pass at Start, wait.Forever) it lists all containers (ListContainers with
 * an empty filter) and queues the running ones; `maxWorkers` workers then ask ContainerStatus (verbose false)
 * for each one's log path, ReopenContainerLog when the file is missing, and rotate a file that reached
 * containerLogMaxSize: remove leftovers of failed rotations, remove the oldest rotated files beyond
 * maxFiles-2, gzip the rotated files not yet compressed, rename the live log to `<log>.<YYYYMMDD-hhmmss>`
 * (local time) and ReopenContainerLog, renaming it back when that fails.
 * Start's context is context.Background(): every CRI call here is a root CLIENT span. It talks to the remote
 * runtime service (kubeDeps.RemoteRuntimeService), not kuberuntime's instrumented one, so no call is counted
 * in kubelet_runtime_operations_total. It also does Clean for container removal (kuberuntime removeContainerLog).
 */
export class ContainerLogManager {
  /** The mutex shared by rotateLogs and Clean. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runtime: Pick<RuntimeService, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>,
    private readonly os: OSInterface,
    readonly policy: ContainerLogManagerPolicy,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    // NewContainerLogManager refuses maxFiles <= 1 (validation catches it before).
    if (policy.maxFiles <= 1) throw new Error(`invalid MaxFiles ${policy.maxFiles}, must be > 1`);
  }

  /** False for the stub manager (negative containerLogMaxSize): Start does nothing, no CRI call is made. */
  get rotationEnabled(): boolean {
    return this.policy.maxSizeBytes >= 0;
  }

  /** One monitoring pass: rotateLogs, then the workers drain the queue. The loop calls it; tests call it by hand. */
  async rotateLogs(): Promise<void> {
    const queue = await this.locked(async () => {
      const containers = await this.runtime.listContainers({});
      // Only running containers write; a stopped one would only get an empty latest log.
      return [...new Set(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.id))];
    });
    const workers = Array.from({ length: Math.max(1, this.policy.maxWorkers) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await this.processContainer(id);
    });
    await Promise.all(workers);
  }

  /** Clean: removes every log file of a container, rotated ones included (`<log_path>*`). */
  async clean(containerId: string): Promise<void> {
    await this.locked(async () => {
      const { status } = await this.runtime.containerStatus(containerId, false);
      if (status === null) throw new Error(`container status is nil for ${JSON.stringify(containerId)}`);
      const logPath = status.log_path;
      if (logPath === '') return;
      for (const file of this.filesWithPrefix(logPath)) this.os.remove(file);
    });
  }

  private async processContainer(id: string): Promise<void> {
    let logPath: string;
    try {
      const { status } = await this.runtime.containerStatus(id, false);
      if (status === null) {
        this.log.error(`"Container status is nil" containerID="${id}"`);
        return;
      }
      logPath = status.log_path;
    } catch (err) {
      this.log.error(`"Failed to get container status" err="${(err as Error).message}" containerID="${id}"`);
      return;
    }
    try {
      let info = this.os.stat(logPath);
      if (info === undefined) {
        try {
          await this.runtime.reopenContainerLog(id);
        } catch (err) {
          this.log.error(`"Container log doesn't exist, reopen container log failed" err="${(err as Error).message}" containerID="${id}" path="${logPath}"`);
          return;
        }
        info = this.os.stat(logPath);
        if (info === undefined) {
          this.log.error(`"Failed to stat container log after reopen" containerID="${id}" path="${logPath}"`);
          return;
        }
      }
      if (info.size < this.policy.maxSizeBytes) return;
      await this.rotateLog(id, logPath);
    } catch (err) {
      this.log.error(`"Failed to rotate log for container" err="${(err as Error).message}" containerID="${id}" path="${logPath}"`);
    }
  }

  private async rotateLog(id: string, logPath: string): Promise<void> {
    let logs = this.filesWithPrefix(`${logPath}.`);
    logs = this.cleanupUnusedLogs(logs);
    logs = this.removeExcessLogs(logs);
    for (const l of logs) if (!l.endsWith(ROTATED_LOG.COMPRESS_SUFFIX)) this.compressLog(l);
    await this.rotateLatestLog(id, logPath);
  }

  /** Leftovers of a failed rotation: temporary files, and uncompressed files whose .gz exists. */
  private cleanupUnusedLogs(logs: string[]): string[] {
    const inUse: string[] = [];
    for (const l of logs) {
      if (isInUse(l, logs)) inUse.push(l);
      else this.os.remove(l);
    }
    return inUse;
  }

  /** Keeps at most maxFiles-2 rotated files (the live log and the one about to be rotated make up the rest), oldest removed first. */
  private removeExcessLogs(logs: string[]): string[] {
    const sorted = [...logs].sort();
    const keep = Math.max(this.policy.maxFiles - 2, 0);
    const excess = Math.max(sorted.length - keep, 0);
    for (const l of sorted.slice(0, excess)) this.os.remove(l);
    return sorted.slice(excess);
  }

  /** gzip `log` to `log.tmp`, rename it to `log.gz`, remove `log`. */
  private compressLog(log: string): void {
    const info = this.os.stat(log);
    if (info === undefined) throw new Error(`failed to stat log file: ${log}: no such file or directory`);
    const tmp = log + ROTATED_LOG.TMP_SUFFIX;
    try {
      this.os.writeFile(tmp, gzipSync(this.os.readFile(log)), info.mode);
      this.os.rename(tmp, log + ROTATED_LOG.COMPRESS_SUFFIX);
      this.os.remove(log);
    } finally {
      this.os.remove(tmp);
    }
  }

  /** Renames the live log away uncompressed (the runtime and log readers may still hold it) and asks the runtime to reopen. */
  private async rotateLatestLog(id: string, logPath: string): Promise<void> {
    const rotated = `${logPath}.${rotationTimestamp(this.clock.nowMs())}`;
    this.os.rename(logPath, rotated);
    try {
      await this.runtime.reopenContainerLog(id);
    } catch (err) {
      // Rename it back so the next pass can try again.
      try {
        this.os.rename(rotated, logPath);
      } catch (renameErr) {
        this.log.error(`"Failed to rename rotated log" err="${(renameErr as Error).message}" rotatedLog="${rotated}" newLog="${logPath}" containerID="${id}"`);
      }
      throw new Error(`failed to reopen container log ${JSON.stringify(id)}: ${(err as Error).message}`);
    }
  }

  private filesWithPrefix(prefix: string): string[] {
    const dir = path.dirname(prefix);
    const base = path.basename(prefix);
    return this.os.readDir(dir).filter((name) => name.startsWith(base)).map((name) => path.join(dir, name));
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

/** isInUse: temporary files are not, compressed ones are, an uncompressed one is unless its .gz exists. */
function isInUse(l: string, logs: string[]): boolean {
  if (l.endsWith(ROTATED_LOG.TMP_SUFFIX)) return false;
  if (l.endsWith(ROTATED_LOG.COMPRESS_SUFFIX)) return true;
  return !logs.includes(l + ROTATED_LOG.COMPRESS_SUFFIX);
}

/** Go layout "20060102-150405" in local time, as time.Now().Format writes it. */
export function rotationTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}
