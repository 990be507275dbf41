/**
 * Which CRI endpoints the kubelet can dial, decided before anything is dialled.
 *
 * k8s.io/cri-client pkg/util/util_unix.go@v0.36.3 (GetAddressAndDialer, parseEndpointWithFallbackProtocol,
 * parseEndpoint): a schemeless endpoint is retried as `unix://<endpoint>`; `unix://` gives the path, `tcp://`
 * parses but is refused ("only support unix socket endpoint"), an empty scheme after the fallback is "deprecated"
 * and any other scheme is "not supported". cmd/kubelet/app/server.go wraps what PreInitRuntimeService returns in
 * "failed to run Kubelet: …" and the kubelet exits 1. The kubelet's text names no field; ours adds the field,
 * the value and the fix after it.
 */
import { URL } from 'node:url';
import { KubeletStartError } from '../util/kubelet-start-error';

export interface CriEndpointTargets {
  /** grpc-js target for the RuntimeService channel (`unix:///abs/path`). */
  runtime: string;
  /** grpc-js target for the ImageService channel. */
  image: string;
}

/** Where an endpoint came from, as a user would look for it. */
export interface CriEndpointSource {
  /** `containerRuntimeEndpoint`, `imageServiceEndpoint` or `--container-runtime-endpoint`. */
  field: string;
  value: string;
}

/** The kubelet's refusal of an endpoint, naming where it came from. */
export class CriEndpointError extends KubeletStartError {
  constructor(
    kubeletMessage: string,
    readonly source: CriEndpointSource,
  ) {
    super(
      kubeletMessage,
      `${source.field} ${JSON.stringify(source.value)}`,
      'the kubelet dials CRI over unix sockets only on Linux; give unix:///path/to/runtime.sock, e.g. unix:///run/containerd/containerd.sock',
    );
    this.name = 'CriEndpointError';
  }
}

const UNIX = 'unix';

/** The grpc-js target for one endpoint, or the kubelet's refusal. */
export function criDialTarget(source: CriEndpointSource): string {
  const parsed = parseWithFallback(source.value);
  if ('error' in parsed) throw new CriEndpointError(`failed to run Kubelet: ${parsed.error}`, source);
  if (parsed.protocol !== UNIX) throw new CriEndpointError('failed to run Kubelet: only support unix socket endpoint', source);
  if (parsed.address === '') {
    // Go dials "" and fails at connect time; refusing now is the same outcome without the wait.
    throw new CriEndpointError(`failed to run Kubelet: dial unix: missing address`, source);
  }
  return `unix://${parsed.address}`;
}

type Parsed = { protocol: string; address: string } | { protocol: string; error: string };

function parseWithFallback(endpoint: string): Parsed {
  const first = parseEndpoint(endpoint);
  if ('error' in first && first.protocol === '') return parseEndpoint(`${UNIX}://${endpoint}`);
  return first;
}

function parseEndpoint(endpoint: string): Parsed {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // Go's url.Parse accepts a bare path (empty scheme); WHATWG URL does not, so a failed parse is that case.
    return { protocol: '', error: `using ${JSON.stringify(endpoint)} as endpoint is deprecated, please consider using full url format` };
  }
  const scheme = url.protocol.replace(/:$/, '');
  switch (scheme) {
    case 'tcp':
      return { protocol: 'tcp', address: url.host };
    case UNIX:
      // Go keeps host and path apart: unix://host/x gives "/x", unix://relative gives "", and unix:relative is
      // opaque (no path at all) and gives "".
      return { protocol: UNIX, address: url.pathname.startsWith('/') ? decodeURIComponent(url.pathname) : '' };
    default:
      return { protocol: scheme, error: `protocol ${JSON.stringify(scheme)} not supported` };
  }
}

/** The endpoint fields of a resolved KubeletConfiguration. */
export interface CriEndpointConfig {
  containerRuntimeEndpoint: string;
  /** As configured; "" means "use the runtime endpoint". */
  imageServiceEndpoint: string;
}

/**
 * Both channels' targets: `--container-runtime-endpoint` overrides containerRuntimeEndpoint, and the image
 * service follows the runtime endpoint unless imageServiceEndpoint is set (kubelet PreInitRuntimeService).
 */
export function resolveCriEndpoints(config: CriEndpointConfig, flagEndpoint: string | undefined): CriEndpointTargets {
  const runtimeSource: CriEndpointSource =
    flagEndpoint !== undefined
      ? { field: '--container-runtime-endpoint', value: flagEndpoint }
      : { field: 'containerRuntimeEndpoint', value: config.containerRuntimeEndpoint };
  const runtime = criDialTarget(runtimeSource);
  const image =
    config.imageServiceEndpoint === '' ? runtime : criDialTarget({ field: 'imageServiceEndpoint', value: config.imageServiceEndpoint });
  return { runtime, image };
}
