/**
 * `GET /containerLogs/{podNamespace}/{podID}/{containerName}` (pkg/kubelet/server/server.go@v1.34.0
 * getContainerLogs → kubelet_pods.go GetKubeletContainerLogs / validateContainerLogStatus →
 * kuberuntime_container.go GetContainerLogs → logs.ReadLogs). The query is decoded as a v1
 * PodLogOptions (`tail` is the legacy spelling of tailLines, `tail=all` meaning every line), validated
 * as ValidatePodLogOptions does, the container to read is chosen from the pod's status (the running
 * one, or with `previous` the last terminated one), its log path comes from a CRI ContainerStatus call
 * under the request's span, and the file is streamed as a chunked response.
 */
import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { ContainerStatusResponse__Output } from '../../../cri-proto/src/types';
import type { Pod } from '../container/pod';
import type { LogOptions } from '../logs/read-logs';
import { readLogs } from '../logs/read-logs';
import type { HandlerResult, RestfulRequest } from './restful-container';

/** What the handler needs from the kubelet. */
export interface ContainerLogsHost {
  /** podManager.GetPodByName. */
  getPodByName(namespace: string, name: string): Pod | undefined;
  /** The pod's v1 container statuses (app and init), as the status manager would hold them. */
  containerStatuses(pod: Pod): IContainerStatus[];
  /** CRI ContainerStatus through kuberuntime's (instrumented) runtime service. */
  containerStatus(containerId: string): Promise<ContainerStatusResponse__Output>;
  /** Nanoseconds since the epoch (sinceSeconds is relative to it). */
  nowNs(): bigint;
}

const PLAIN = { 'Content-Type': 'text/plain; charset=utf-8' } as const;

/** go-restful WriteError: the status and the error text. */
function writeError(status: number, message: string): HandlerResult {
  return { status, headers: { ...PLAIN }, body: message };
}

/** The v1 PodLogOptions fields the kubelet reads from the query. */
export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  sinceSeconds?: number;
  sinceTimeNs?: bigint;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
}

/** runtime.Convert_Slice_string_To_bool: absent, `0` and `false` (any case) are false; anything else true. */
function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Convert_Slice_string_To_Pointer_int64: empty means unset; a non-integer is a decode error. */
function queryInt(q: URLSearchParams, name: string): number | undefined | Error {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) return new Error(name);
  return Number(v);
}

/** ParameterCodec.DecodeParameters(query, v1, PodLogOptions), with the legacy `tail`. */
export function decodePodLogOptions(query: URLSearchParams): PodLogOptions | 'decode-error' {
  const q = new URLSearchParams(query);
  const tail = q.get('tail');
  if (tail !== null && tail !== '') {
    if (tail === 'all') q.delete('tailLines');
    else q.set('tailLines', tail);
  }
  const ints: Record<string, number | undefined> = {};
  for (const name of ['sinceSeconds', 'tailLines', 'limitBytes']) {
    const v = queryInt(q, name);
    if (v instanceof Error) return 'decode-error';
    ints[name] = v;
  }
  let sinceTimeNs: bigint | undefined;
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null && sinceTime !== '') {
    const ms = Date.parse(sinceTime);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(sinceTime) || Number.isNaN(ms)) return 'decode-error';
    sinceTimeNs = BigInt(ms) * 1_000_000n;
  }
  return {
    ...(q.get('container') ? { container: q.get('container')! } : {}),
    follow: queryBool(q, 'follow'),
    previous: queryBool(q, 'previous'),
    timestamps: queryBool(q, 'timestamps'),
    ...(ints.sinceSeconds !== undefined ? { sinceSeconds: ints.sinceSeconds } : {}),
    ...(sinceTimeNs !== undefined ? { sinceTimeNs } : {}),
    ...(ints.tailLines !== undefined ? { tailLines: ints.tailLines } : {}),
    ...(ints.limitBytes !== undefined ? { limitBytes: ints.limitBytes } : {}),
  };
}

/** ValidatePodLogOptions: true when valid. */
export function validPodLogOptions(o: PodLogOptions): boolean {
  if (o.tailLines !== undefined && o.tailLines < 0) return false;
  if (o.limitBytes !== undefined && o.limitBytes < 1) return false;
  if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) return false;
  if (o.sinceSeconds !== undefined && o.sinceTimeNs !== undefined) return false;
  return true;
}

/** logs.NewLogOptions: tail/bytes -1 when unset; since from sinceSeconds, or sinceTime if later. */
export function newLogOptions(o: PodLogOptions, nowNs: bigint): LogOptions {
  let sinceNs = 0n;
  if (o.sinceSeconds !== undefined) sinceNs = nowNs - BigInt(o.sinceSeconds) * 1_000_000_000n;
  if (o.sinceTimeNs !== undefined && o.sinceTimeNs > sinceNs) sinceNs = o.sinceTimeNs;
  return { tail: o.tailLines ?? -1, bytes: o.limitBytes ?? -1, sinceNs, follow: o.follow, timestamps: o.timestamps };
}

/**
 * validateContainerLogStatus (kubelet_pods.go): the ID of the container whose log to read, or the
 * error the kubelet returns (a 400).
 */
export function validateContainerLogStatus(podName: string, statuses: readonly IContainerStatus[], containerName: string, previous: boolean): string | Error {
  const s = statuses.find((c) => c.name === containerName);
  if (s === undefined) return new Error(`container "${containerName}" in pod "${podName}" is not available`);
  const last = s.lastState?.terminated;
  const { waiting, running, terminated } = s.state ?? {};
  if (previous) {
    if (!last?.containerID) return new Error(`previous terminated container "${containerName}" in pod "${podName}" not found`);
    return last.containerID;
  }
  if (running) return s.containerID ?? '';
  if (terminated) {
    if (terminated.containerID) return terminated.containerID;
    if (last?.containerID) return last.containerID;
    return new Error(`container "${containerName}" in pod "${podName}" is terminated`);
  }
  if (last) {
    if (!last.containerID) return new Error(`container "${containerName}" in pod "${podName}" is terminated`);
    return last.containerID;
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') return new Error(`container "${containerName}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') return new Error(`container "${containerName}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    return new Error(`container "${containerName}" in pod "${podName}" is waiting to start: ${waiting.reason ?? ''}`);
  }
  return new Error(`container "${containerName}" in pod "${podName}" is waiting to start - no logs yet`);
}

/** The CRI container ID of a kubecontainer.ContainerID string (`cri-o://abc` → `abc`). */
function criId(containerId: string): string {
  const at = containerId.indexOf('://');
  return at < 0 ? containerId : containerId.slice(at + 3);
}

export async function serveContainerLogs(req: RestfulRequest, host: ContainerLogsHost): Promise<HandlerResult> {
  const { podNamespace = '', podID = '', containerName = '' } = req.pathParams;
  if (podID === '') return writeError(400, '{"message": "Missing podID."}');
  if (containerName === '') return writeError(400, '{"message": "Missing container name."}');
  if (podNamespace === '') return writeError(400, '{"message": "Missing podNamespace."}');
  const decoded = decodePodLogOptions(req.url.searchParams);
  if (decoded === 'decode-error') return writeError(400, '{"message": "Unable to decode query."}');
  if (!validPodLogOptions(decoded)) return writeError(422, '{"message": "Invalid request."}');
  const pod = host.getPodByName(podNamespace, podID);
  if (pod === undefined) return writeError(404, `pod "${podID}" does not exist`);
  const known = [...pod.spec.containers, ...pod.spec.initContainers].some((c) => c.name === containerName);
  if (!known) return writeError(404, `container "${containerName}" not found in pod "${podID}"`);

  const chosen = validateContainerLogStatus(pod.metadata.name, host.containerStatuses(pod), containerName, decoded.previous);
  if (chosen instanceof Error) return writeError(400, chosen.message);
  const id = criId(chosen);
  let logPath: string;
  try {
    logPath = (await host.containerStatus(id)).status?.log_path ?? '';
  } catch {
    return writeError(400, `unable to retrieve container logs for ${chosen}`);
  }

  const res = req.response;
  const cancelled = new AbortController();
  const onClose = (): void => cancelled.abort();
  req.raw.socket.once('close', onClose);
  let started = false;
  const write = async (chunk: Buffer): Promise<void> => {
    if (!started) {
      started = true;
      res.writeHead(200, { ...PLAIN, 'Transfer-Encoding': 'chunked' });
    }
    // flushwriter: every write is flushed to the client at once.
    if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
  };
  try {
    await readLogs(logPath, newLogOptions(decoded, host.nowNs()), { stdout: write, stderr: write }, decoded.follow ? {
      cancelled: cancelled.signal,
      isContainerRunning: async () => {
        try {
          return (await host.containerStatus(id)).status?.state !== 'CONTAINER_EXITED';
        } catch {
          return false;
        }
      },
    } : undefined);
  } catch (err) {
    if (!started) return writeError(400, (err as Error).message);
  } finally {
    req.raw.socket.off('close', onClose);
  }
  if (!started) res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
  res.end();
  return { status: 200, headers: {}, body: '', committed: true };
}
