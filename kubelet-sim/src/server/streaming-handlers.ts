/**
 * The kubelet's streaming endpoints (pkg/kubelet/server/server.go@v1.34.0 getExec, getAttach,
 * getPortForward, getRun; kubelet_pods.go GetExec, GetAttach, GetPortForward, RunInContainer;
 * kuberuntime_container.go / kuberuntime_sandbox.go for the CRI requests):
 *  - find the container from the runtime (GetPods(false): ListPodSandbox of ready sandboxes and
 *    ListContainers of running containers), then ask the runtime for a stream URL (Exec / Attach /
 *    PortForward) and proxy the client's upgrade request to it (proxy.UpgradeAwareHandler with
 *    upgradeRequired), or run ExecSync for `/run`;
 *  - every CRI call is made under the request's SERVER span, so the runtime's spans join its trace.
 * 1.34 proxies every upgrade as is (the ExtendWebSocketsToKubelet translation arrived later), so the
 * client speaks whatever the runtime's stream server serves.
 *
 * go-restful detail kept: the stream handlers write through the raw http.ResponseWriter (the proxy,
 * streaming.WriteError, the responder), which go-restful's Response does not see, so the tracing filter
 * records `http.status_code` 200 for them whatever went on the wire; only response.WriteError (bad
 * options, unknown pod) goes through go-restful and is recorded.
 */
import type { ServerResponse } from 'node:http';
import { proxyUpgrade } from '../../../cri-proto/src/streaming/upgrade-aware-proxy';
import type { Pod } from '../container/pod';
import type { StreamFlags, StreamingRuntimeService } from '../cri/runtime-service';
import { CriCallError } from '../cri/runtime-service';
import type { RuntimePod } from '../kuberuntime/kuberuntime-manager';
import type { HandlerResult, RestfulRequest } from './restful-container';

/** What the handlers need from the kubelet. */
export interface StreamingHost {
  getPodByName(namespace: string, name: string): Pod | undefined;
  /** containerRuntime.GetPods(ctx, false). */
  getRunningPods(): Promise<RuntimePod[]>;
  /** The pod's sandbox IDs, newest first (kuberuntime getSandboxIDByPodUID: ListPodSandbox by the pod UID label). */
  sandboxIdsOf(podUid: string): Promise<string[]>;
  /** kuberuntime's (instrumented) runtime service. */
  readonly streaming: StreamingRuntimeService;
}

const PLAIN = { 'Content-Type': 'text/plain; charset=utf-8' } as const;

/** The span's view of a handler that wrote through the raw writer (see the file comment). */
const RAW_WRITTEN: HandlerResult = { status: 200, headers: {}, body: '', committed: true };

/** kubecontainer.GetPodFullName: `name_namespace`. */
function podFullName(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}`;
}

/** remotecommand server NewOptions: the `1`-valued flags; tty drops stderr; one stream is required. */
export function newStreamOptions(query: URLSearchParams): StreamFlags | Error {
  const flag = (name: string): boolean => query.get(name) === '1';
  const tty = flag('tty');
  const stdin = flag('input');
  const stdout = flag('output');
  let stderr = flag('error');
  if (tty && stderr) stderr = false;
  if (!stdin && !stdout && !stderr) return new Error('you must specify at least 1 of stdin, stdout, stderr');
  return { tty, stdin, stdout, stderr };
}

/** portforward.NewV4Options: ports from `port` query values (comma lists) on a websocket request; none otherwise. */
export function newPortForwardOptions(query: URLSearchParams, websocket: boolean): number[] | Error {
  if (!websocket) return [];
  const values = query.getAll('port');
  if (values.length === 0) return new Error('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of values) {
    if (value === '') return new Error('query parameter "port" cannot be empty');
    for (const p of value.split(',')) {
      if (!/^\d+$/.test(p) || Number(p) > 65535) return new Error(`unable to parse "${value}" as a port: strconv.ParseUint: parsing ${JSON.stringify(p)}: ${/^\d+$/.test(p) ? 'value out of range' : 'invalid syntax'}`);
      if (Number(p) < 1) return new Error(`port "${value}" must be > 0`);
      ports.push(Number(p));
    }
  }
  return ports;
}

function isWebSocketRequest(req: RestfulRequest): boolean {
  const connection = String(req.raw.headers.connection ?? '').toLowerCase();
  return String(req.raw.headers.upgrade ?? '').toLowerCase() === 'websocket' && /(^|,)\s*upgrade\s*(,|$)/.test(connection);
}

/** go-restful response.WriteError: recorded by the tracing filter. */
function restfulError(status: number, message: string): HandlerResult {
  return { status, headers: { ...PLAIN }, body: message };
}

/** A response written on the raw writer (Go http.Error adds a newline; streaming.WriteError does not). */
function writeRaw(res: ServerResponse, status: number, body: string): HandlerResult {
  if (!res.headersSent) {
    res.writeHead(status, { ...PLAIN, 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
  return RAW_WRITTEN;
}

/** streaming.WriteError: NotFound → 404, ResourceExhausted → 429, anything else 500, with the error text. */
function writeStreamingError(res: ServerResponse, err: unknown): HandlerResult {
  const code = err instanceof CriCallError ? err.code : -1;
  const status = code === 5 ? 404 : code === 8 ? 429 : 500;
  return writeRaw(res, status, (err as Error).message);
}

/** proxyStream: UpgradeAwareHandler(url, upgradeRequired) with the kubelet's responder (http.Error, 500). */
async function proxyStream(req: RestfulRequest, streamUrl: string): Promise<HandlerResult> {
  if (req.upgrade === undefined) return writeRaw(req.response, 500, 'Upgrade request required\n');
  let location: URL;
  try {
    location = new URL(streamUrl);
  } catch {
    return writeRaw(req.response, 500, `invalid stream URL ${JSON.stringify(streamUrl)} from the runtime\n`);
  }
  const outcome = await proxyUpgrade(req.raw, req.upgrade.socket, req.upgrade.head, location);
  if (outcome.error !== undefined && outcome.status === 0) return writeRaw(req.response, 500, `${outcome.error}\n`);
  return RAW_WRITTEN;
}

/** findContainer: the running container of that name in the pod (by UID when the path has one, else by full name). */
async function findContainer(host: StreamingHost, pod: Pod, podUid: string, containerName: string): Promise<RuntimePod['containers'][number] | undefined> {
  const pods = await host.getRunningPods();
  const found = pods.find((p) => (podUid !== '' ? p.uid === podUid : p.name === pod.metadata.name && p.namespace === pod.metadata.namespace));
  return found?.containers.find((c) => c.name === containerName);
}

export async function serveExec(req: RestfulRequest, host: StreamingHost): Promise<HandlerResult> {
  const { podNamespace = '', podID = '', uid = '', containerName = '' } = req.pathParams;
  const opts = newStreamOptions(req.url.searchParams);
  if (opts instanceof Error) return restfulError(400, opts.message);
  const pod = host.getPodByName(podNamespace, podID);
  if (pod === undefined) return restfulError(404, 'pod does not exist');
  let url: string;
  try {
    const container = await findContainer(host, pod, uid, containerName);
    if (container === undefined) throw new Error(`container not found (${JSON.stringify(containerName)})`);
    url = await host.streaming.exec(container.id, req.url.searchParams.getAll('command'), opts);
  } catch (err) {
    return writeStreamingError(req.response, err);
  }
  return proxyStream(req, url);
}

export async function serveAttach(req: RestfulRequest, host: StreamingHost): Promise<HandlerResult> {
  const { podNamespace = '', podID = '', uid = '', containerName = '' } = req.pathParams;
  const opts = newStreamOptions(req.url.searchParams);
  if (opts instanceof Error) return restfulError(400, opts.message);
  const pod = host.getPodByName(podNamespace, podID);
  if (pod === undefined) return restfulError(404, 'pod does not exist');
  let url: string;
  try {
    const container = await findContainer(host, pod, uid, containerName);
    const missing = `container ${containerName} not found in pod ${podFullName(pod)}`;
    if (container === undefined) throw new Error(missing);
    if (uid !== '' && pod.metadata.uid !== uid) throw new Error(`pod ${podFullName(pod)} not found`);
    if (![...pod.spec.containers, ...pod.spec.initContainers].some((c) => c.name === containerName)) throw new Error(missing);
    // The attach TTY must match the container's own (kubelet-sim's containers run without a TTY).
    url = await host.streaming.attach(container.id, { ...opts, tty: false });
  } catch (err) {
    return writeStreamingError(req.response, err);
  }
  return proxyStream(req, url);
}

export async function servePortForward(req: RestfulRequest, host: StreamingHost): Promise<HandlerResult> {
  const { podNamespace = '', podID = '', uid = '' } = req.pathParams;
  const ports = newPortForwardOptions(req.url.searchParams, isWebSocketRequest(req));
  if (ports instanceof Error) return restfulError(400, ports.message);
  const pod = host.getPodByName(podNamespace, podID);
  if (pod === undefined) return restfulError(404, 'pod does not exist');
  if (uid !== '' && pod.metadata.uid !== uid) return restfulError(404, 'pod not found');
  let url: string;
  try {
    const running = await host.getRunningPods();
    const desc = `"${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})"`;
    if (!running.some((p) => p.uid === pod.metadata.uid)) throw new Error(`pod not found ("${podFullName(pod)}")`);
    const sandboxIds = await host.sandboxIdsOf(pod.metadata.uid).catch((err: Error) => {
      throw new Error(`failed to find sandboxID for pod ${desc}: ${err.message}`);
    });
    if (sandboxIds.length === 0) throw new Error(`failed to find sandboxID for pod ${desc}`);
    url = await host.streaming.portForward(sandboxIds[0]!, ports);
  } catch (err) {
    return writeStreamingError(req.response, err);
  }
  return proxyStream(req, url);
}

/** `/run`: ExecSync with no timeout; stdout then stderr as the body (a JSON content type, as upstream writes it). */
export async function serveRun(req: RestfulRequest, host: StreamingHost): Promise<HandlerResult> {
  const { podNamespace = '', podID = '', uid = '', containerName = '' } = req.pathParams;
  const pod = host.getPodByName(podNamespace, podID);
  if (pod === undefined) return restfulError(404, 'pod does not exist');
  // For legacy reasons /run takes one space-separated `cmd`.
  const cmd = (req.url.searchParams.get('cmd') ?? '').split(' ');
  try {
    const container = await findContainer(host, pod, uid, containerName);
    if (container === undefined) throw new Error(`container not found (${JSON.stringify(containerName)})`);
    const out = await host.streaming.execSync(container.id, cmd, 0);
    if (out.exitCode !== 0) {
      // cri-client ExecSync turns a non-zero exit into an error (utilexec.CodeExitError).
      throw new Error(`command '${cmd.join(' ')}' exited with ${out.exitCode}: ${out.stderr.toString()}`);
    }
    const data = Buffer.concat([out.stdout, out.stderr]);
    return { status: 200, headers: data.length > 0 ? { 'Content-Type': 'application/json' } : {}, body: data.toString() };
  } catch (err) {
    return restfulError(500, (err as Error).message);
  }
}
