/**
 * The pod subresources the apiserver proxies to the pod's kubelet (k8s.io/kubernetes
 * pkg/registry/core/pod/strategy.go@v1.34.0 LogLocation, ExecLocation, AttachLocation,
 * PortForwardLocation, streamLocation, streamParams; pkg/registry/core/pod/rest/log.go LogREST and
 * subresources.go ExecREST / AttachREST / PortForwardREST; k8s.io/apiserver registry/generic/rest
 * streamer.go LocationStreamer and response_checker.go):
 *  - `log`: under the Get handler's "Get" span, read the pod and its node from storage, choose the
 *    container, GET `/containerLogs/<ns>/<pod>/<container>?<options>` from the kubelet and stream the body
 *    back as text/plain; a kubelet error status becomes the apiserver's (400 → BadRequest with the
 *    kubelet's text, 500 → InternalError, others a generic response);
 *  - `exec`, `attach`, `portforward`: the connect handler (no span of its own) reads the pod and node,
 *    builds the kubelet URL with the options as the kubelet reads them (`input`/`output`/`error`/`tty`
 *    `=1`, `command`, `port`) and proxies the client's upgrade request there (UpgradeAwareHandler,
 *    upgrade required), so the streaming protocol is whatever the kubelet's runtime negotiates.
 * Neither kubelet request is traced by default, as in kube-apiserver; `--trace-kubelet-proxy` makes them
 * CLIENT spans carrying W3C context (../proxy/kubelet-client-span.ts).
 *
 * A WebSocket request offering `v5.channel.k8s.io` (what kubectl 1.30+ sends) is translated by the
 * apiserver itself (../proxy/stream-translator.ts: the command runs on the kubelet over SPDY, POST, as
 * streamtranslator.go does); a port-forward WebSocket offering `SPDY/3.1+portforward.k8s.io` is tunnelled to the
 * kubelet as SPDY (../proxy/stream-tunnel.ts, streamtunnel.go); any other upgrade is proxied as is.
 */
import { request as httpRequest } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import { GO_HTTP_CLIENT_USER_AGENT } from '../../../../cri-proto/src/streaming/spdy/spdy-round-tripper';
import { proxyUpgrade } from '../../../../cri-proto/src/streaming/upgrade-aware-proxy';
import { traceKubeletRequest } from '../proxy/kubelet-client-span';
import { kubeletBaseUrl } from '../proxy/kubelet-connection';
import { isWebSocketRequestWithStreamCloseProtocol, translateStream } from '../proxy/stream-translator';
import { isWebSocketRequestWithTunnelingProtocol, tunnelPortForward } from '../proxy/stream-tunnel';
import { upgradeConnectionOf } from '../server/upgrade-connections';
import { withComponentSpan } from '../storage/component-base-span';
import type { StoredObject } from '../storage/etcd3-store';
import type { RequestScope } from './request-scope';
import type { ServedResource } from './rest-handlers';
import { badRequest, notFound, StatusError } from './responses';
import { traceFields } from './trace-fields';


export interface PodSubresourceDeps {
  pods: ServedResource;
  nodes: ServedResource;
  /** The otelhttp-scoped tracer of the opt-in CLIENT spans to the kubelet (`--trace-kubelet-proxy`); none upstream. */
  clientTracer: Tracer | undefined;
}

interface PodSpecLike {
  nodeName?: string;
  containers?: Array<{ name?: string }>;
  initContainers?: Array<{ name?: string }>;
  ephemeralContainers?: Array<{ name?: string }>;
}

/** runtime.Convert_Slice_string_To_bool. */
function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** An optional int64 query value, or a 400 naming the field. */
function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

async function getPod(deps: PodSubresourceDeps, namespace: string, name: string): Promise<StoredObject & { spec?: PodSpecLike }> {
  const pod = await deps.pods.store.get(`/pods/${namespace}/${name}`);
  if (!pod) throw notFound('pods', name);
  return pod as StoredObject & { spec?: PodSpecLike };
}

/** The container the request names, defaulted when the pod has exactly one (strategy.go LogLocation / streamLocation). */
function chooseContainer(pod: { spec?: PodSpecLike }, requested: string, podName: string): string {
  const spec = pod.spec ?? {};
  let container = requested;
  if (container === '') {
    const names = (spec.containers ?? []).map((c) => c.name ?? '');
    if (names.length === 1) container = names[0]!;
    else if (names.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    else {
      const init = (spec.initContainers ?? []).map((c) => c.name ?? '');
      let message = `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`;
      if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
      throw badRequest(message);
    }
  }
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  return container;
}

/** NodeConnectionInfoGetter: the node object from storage, then its kubelet's URL. */
async function kubeletUrlOf(deps: PodSubresourceDeps, nodeName: string): Promise<URL> {
  const node = await deps.nodes.store.get(`/nodes/${nodeName}`);
  if (!node) throw notFound('nodes', nodeName);
  return kubeletBaseUrl(node);
}

/** url.Values.Encode: keys sorted, each value escaped as a query component. */
function encodeSorted(params: Array<[string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of params) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  return [...byKey.keys()].sort().flatMap((k) => byKey.get(k)!.map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`)).join('&');
}

/** Go url.QueryEscape: space as `+`, unreserved kept, everything else percent-encoded. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** response_checker.go GenericHttpResponseChecker.Check for a non-2xx kubelet answer. */
function kubeletError(status: number, body: string, podName: string): StatusError {
  if (status === 500) return new StatusError(500, 'InternalError', `Internal error occurred: ${body}`);
  if (status === 400) return badRequest(body);
  const reason = status === 404 ? 'NotFound' : status === 403 ? 'Forbidden' : status === 401 ? 'Unauthorized' : '';
  const generic = status === 404 ? 'the server could not find the requested resource' : `the server responded with the status code ${status} but did not return more information`;
  return new StatusError(status, reason, `${generic} ( pods/log ${podName})`);
}

/** GET pods/<name>/log. */
export async function podLog(scope: RequestScope, deps: PodSubresourceDeps): Promise<void> {
  await withComponentSpan(scope.tracer, 'Get', traceFields(scope), async (span) => {
    const q = scope.url.searchParams;
    const { namespace, name } = scope.info;
    const tailLines = queryInt(q, 'tailLines');
    const limitBytes = queryInt(q, 'limitBytes');
    const sinceSeconds = queryInt(q, 'sinceSeconds');
    const sinceTime = q.get('sinceTime') ?? '';
    // ValidatePodLogOptions (pkg/apis/core/validation).
    const causes: string[] = [];
    if (tailLines !== undefined && tailLines < 0) causes.push(`tailLines: Invalid value: ${tailLines}: must be greater than or equal to 0`);
    if (limitBytes !== undefined && limitBytes < 1) causes.push(`limitBytes: Invalid value: ${limitBytes}: must be greater than 0`);
    if (sinceSeconds !== undefined && sinceTime !== '') causes.push('sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push(`sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
    if (causes.length > 0) throw new StatusError(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${causes.length === 1 ? causes[0] : `[${causes.join(', ')}]`}`);

    const pod = await getPod(deps, namespace, name);
    const container = chooseContainer(pod, q.get('container') ?? '', name);
    const nodeName = pod.spec?.nodeName ?? '';
    span.addEvent('About to write a response');
    const { res } = scope;
    if (nodeName === '') {
      // No host assigned yet: LogLocation returns no location and LocationStreamer an empty stream.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end();
      span.addEvent('Writing http response done');
      return;
    }
    const base = await kubeletUrlOf(deps, nodeName);
    const params: Array<[string, string]> = [];
    if (queryBool(q, 'follow')) params.push(['follow', 'true']);
    if (queryBool(q, 'previous')) params.push(['previous', 'true']);
    if (queryBool(q, 'timestamps')) params.push(['timestamps', 'true']);
    if (sinceSeconds !== undefined) params.push(['sinceSeconds', String(sinceSeconds)]);
    if (sinceTime !== '') params.push(['sinceTime', sinceTime]);
    if (tailLines !== undefined) params.push(['tailLines', String(tailLines)]);
    if (limitBytes !== undefined) params.push(['limitBytes', String(limitBytes)]);
    const location = new URL(`/containerLogs/${namespace}/${name}/${container}`, base);
    location.search = encodeSorted(params);
    await streamFromKubelet(scope, deps, location, name);
    span.addEvent('Writing http response done');
  });
}

/** LocationStreamer.InputStream + StreamObject: the kubelet's body copied to the client as it arrives. */
function streamFromKubelet(scope: RequestScope, deps: PodSubresourceDeps, location: URL, podName: string): Promise<void> {
  const { headers, end } = traceKubeletRequest(deps.clientTracer, 'GET', location, undefined);
  return new Promise<void>((resolve, reject) => {
    // A fresh request from Go's client: its default User-Agent, added after the transport ran (so the CLIENT
    // span has no user_agent.original).
    const upstream = httpRequest(location, { method: 'GET', headers: { ...headers, 'User-Agent': GO_HTTP_CLIENT_USER_AGENT } });
    let status = 0;
    const clientGone = (): void => {
      upstream.destroy();
    };
    scope.req.socket.once('close', clientGone);
    upstream.on('response', (kres) => {
      status = kres.statusCode ?? 0;
      if (status < 200 || status > 206) {
        const chunks: Buffer[] = [];
        kres.on('data', (c: Buffer) => chunks.push(c));
        kres.on('end', () => {
          scope.req.socket.off('close', clientGone);
          end(status);
          reject(kubeletError(status, Buffer.concat(chunks).subarray(0, 4096).toString(), podName));
        });
        return;
      }
      scope.res.writeHead(200, { 'Content-Type': 'text/plain' });
      kres.on('data', (c: Buffer) => scope.res.write(c));
      kres.on('end', () => {
        scope.req.socket.off('close', clientGone);
        end(status);
        scope.res.end(() => resolve());
      });
      kres.on('error', () => undefined);
      kres.on('close', () => {
        if (!scope.res.writableEnded) {
          end(status);
          scope.res.end();
          resolve();
        }
      });
    });
    upstream.on('error', (err) => {
      scope.req.socket.off('close', clientGone);
      if (status !== 0) return; // the client went away mid-stream
      const message = `Get "${location.toString()}": ${goDialText(err as NodeJS.ErrnoException, location)}`;
      end(0, message);
      reject(new StatusError(500, 'InternalError', `Internal error occurred: ${message}`));
    });
    upstream.end();
  });
}

function goDialText(err: NodeJS.ErrnoException, location: URL): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${location.host}: connect: connection refused`;
  return err.message;
}

export type ConnectKind = 'exec' | 'attach' | 'portforward';

/** pods/<name>/exec|attach|portforward: the kubelet location, then the upgrade proxied to it. */
export async function podConnect(scope: RequestScope, kind: ConnectKind, deps: PodSubresourceDeps): Promise<void> {
  const q = scope.url.searchParams;
  const { namespace, name } = scope.info;
  const pod = await getPod(deps, namespace, name);
  const params: Array<[string, string]> = [];
  let path: string;
  if (kind === 'portforward') {
    // PodPortForwardOptions.Ports → one comma-separated `port` value.
    const ports = q.getAll('ports').flatMap((p) => p.split(',')).filter((p) => p !== '');
    for (const p of ports) if (!/^\d+$/.test(p)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: invalid syntax`);
    if (ports.length > 0) params.push(['port', ports.join(',')]);
    path = `/portForward/${namespace}/${name}`;
  } else {
    const container = chooseContainer(pod, q.get('container') ?? '', name);
    if (queryBool(q, 'stdin')) params.push(['input', '1']);
    if (queryBool(q, 'stdout')) params.push(['output', '1']);
    if (queryBool(q, 'stderr')) params.push(['error', '1']);
    if (queryBool(q, 'tty')) params.push(['tty', '1']);
    if (kind === 'exec') for (const c of q.getAll('command')) params.push(['command', c]);
    path = `/${kind}/${namespace}/${name}/${container}`;
  }
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') throw badRequest(`pod ${name} does not have a host assigned`);
  const location = new URL(path, await kubeletUrlOf(deps, nodeName));
  location.search = encodeSorted(params);

  const upgrade = upgradeConnectionOf(scope.req);
  // UpgradeAwareHandler with upgradeRequired: a plain request is refused through the error responder.
  if (upgrade === undefined) throw badRequest('Upgrade request required');
  if (kind !== 'portforward' && isWebSocketRequestWithStreamCloseProtocol(scope.req)) {
    // TranslateStreamCloseWebsocketRequests (on by default since 1.30): the apiserver ends the client's
    // WebSocket itself and runs the command on the kubelet with the SPDY executor (POST).
    const kubeletRequest = traceKubeletRequest(deps.clientTracer, 'POST', location, undefined);
    const options = { stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr'), tty: queryBool(q, 'tty') };
    const translated = await translateStream(scope.req, upgrade.socket, upgrade.head, location, kubeletRequest.headers, options);
    kubeletRequest.end(translated.kubeletStatus, translated.kubeletStatus === 0 ? translated.error : undefined);
    return;
  }
  if (kind === 'portforward' && isWebSocketRequestWithTunnelingProtocol(scope.req)) {
    // PortForwardWebsockets (beta, on by default since 1.31): SPDY tunnelled through the WebSocket, sent on
    // to the kubelet as a SPDY upgrade (POST).
    const kubeletRequest = traceKubeletRequest(deps.clientTracer, 'POST', location, scope.req.headers['user-agent']);
    const outcome = await tunnelPortForward(scope.req, upgrade.socket, upgrade.head, location, kubeletRequest.headers);
    kubeletRequest.end(outcome.status, outcome.status === 0 ? outcome.error : undefined);
    if (outcome.status === 0) throw new StatusError(500, '', outcome.error ?? 'proxy error');
    return;
  }
  const kubeletRequest = traceKubeletRequest(deps.clientTracer, scope.req.method ?? 'GET', location, scope.req.headers['user-agent']);
  const outcome = await proxyUpgrade(scope.req, upgrade.socket, upgrade.head, location, kubeletRequest.headers);
  kubeletRequest.end(outcome.status, outcome.status === 0 ? outcome.error : undefined);
  if (outcome.status === 0) throw new StatusError(500, '', outcome.error ?? 'proxy error');
}
