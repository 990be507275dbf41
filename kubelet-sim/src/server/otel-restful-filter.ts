import type { Attributes, Link, SpanOptions, TextMapPropagator, Tracer } from '@opentelemetry/api';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import type { Filter, RestfulRequest } from './restful-container';

/**
 * The go-restful tracing filter the kubelet installs (server.go InstallTracingFilter →
 * `otelrestful.OTelFilter("kubelet", WithTracerProvider(tp))`). Kubernetes 1.34 pins otelrestful v0.44.0
 * (go.mod; kubernetes/kubernetes#136362 moved it to v0.64.0 for 1.36), which names its tracer after the
 * package and takes its attributes from semconv v1.17.0 through internal/semconvutil.
 */
export const OTEL_RESTFUL = {
  SCOPE_NAME: 'go.opentelemetry.io/contrib/instrumentation/github.com/emicklei/go-restful/otelrestful',
  SCOPE_VERSION: '0.44.0',
  /** OTelFilter's `service` argument in server.go; semconvutil uses it as the server name. */
  KUBELET_SERVICE: 'kubelet',
} as const;

/** semconv v1.17.0 keys as semconvutil.HTTPServerRequest and restful.go set them (old HTTP conventions). */
export const HTTP_SERVER_ATTRIBUTE = {
  METHOD: 'http.method',
  SCHEME: 'http.scheme',
  FLAVOR: 'http.flavor',
  NET_HOST_NAME: 'net.host.name',
  NET_HOST_PORT: 'net.host.port',
  NET_SOCK_PEER_ADDR: 'net.sock.peer.addr',
  NET_SOCK_PEER_PORT: 'net.sock.peer.port',
  USER_AGENT: 'http.user_agent',
  ENDUSER_ID: 'enduser.id',
  CLIENT_IP: 'http.client_ip',
  ROUTE: 'http.route',
  STATUS_CODE: 'http.status_code',
} as const;

export interface OtelRestfulFilterOptions {
  /** The server name passed to OTelFilter (`kubelet`). */
  service: string;
  /** otelrestful.WithPublicEndpoint(): every request starts a new trace; the caller's context becomes a link. */
  publicEndpoint: boolean;
  /**
   * otelrestful falls back to the global propagator (otel.GetTextMapPropagator()). kubelet-sim's tracing
   * registers W3C TraceContext + Baggage globally; whether the real kubelet sets a global propagator is
   * unverified (FACTS §2) — without one, incoming `traceparent` headers would be ignored.
   */
  propagator?: TextMapPropagator;
}

const headerGetter = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key.toLowerCase()],
};

/**
 * OTelFilter (otelrestful v0.44.0 restful.go): a SERVER span named by the selected route template, '' when
 * no route was selected (the kubelet's `/metrics` and `/healthz` are Handle paths that reach the filter
 * without one, so their spans have an empty name and no `http.route`). The status code is read after the
 * handler ran; only 5xx (and codes outside 100–599) mark the span as an error.
 */
export function otelRestfulFilter(tracer: Tracer, options: OtelRestfulFilterOptions): Filter {
  return async (req, next) => {
    const extracted = (options.propagator ?? propagation).extract(ROOT_CONTEXT, req.raw.headers, headerGetter);
    const attributes: Attributes = httpServerRequestAttributes(options.service, req);
    if (req.routePath !== '') attributes[HTTP_SERVER_ATTRIBUTE.ROUTE] = req.routePath;
    const spanOptions: SpanOptions = { kind: SpanKind.SERVER, attributes };
    if (options.publicEndpoint) {
      spanOptions.root = true;
      const remote = trace.getSpanContext(extracted);
      if (remote !== undefined && trace.isSpanContextValid(remote) && remote.isRemote) spanOptions.links = [{ context: remote } satisfies Link];
    }
    const span = tracer.startSpan(req.routePath, spanOptions, extracted);
    try {
      const result = await context.with(trace.setSpan(extracted, span), next);
      const status = result.status;
      if (status < 100 || status >= 600) span.setStatus({ code: SpanStatusCode.ERROR, message: `Invalid HTTP status code ${status}` });
      else if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (status > 0) span.setAttribute(HTTP_SERVER_ATTRIBUTE.STATUS_CODE, status);
      return result;
    } finally {
      span.end();
    }
  };
}

/**
 * semconvutil.HTTPServerRequest(server, req) of otelrestful v0.44.0, in its attribute order. The server
 * name wins over the Host header for `net.host.name`; the port still comes from Host, and is left out when
 * absent or the scheme's default (80). `http.target` is deliberately not set upstream.
 */
export function httpServerRequestAttributes(server: string, req: RestfulRequest): Attributes {
  const raw = req.raw;
  const [serverHost, serverPort] = splitHostPort(server);
  const hostHeader = raw.headers.host ?? '';
  const port = serverPort > 0 ? serverPort : splitHostPort(hostHeader)[1];
  const attrs: Attributes = {
    [HTTP_SERVER_ATTRIBUTE.METHOD]: raw.method || 'GET',
    [HTTP_SERVER_ATTRIBUTE.SCHEME]: 'http',
    [HTTP_SERVER_ATTRIBUTE.FLAVOR]: flavor(raw.httpVersion),
    [HTTP_SERVER_ATTRIBUTE.NET_HOST_NAME]: server === '' ? splitHostPort(hostHeader)[0] : serverHost,
  };
  if (port > 0 && port !== 80) attrs[HTTP_SERVER_ATTRIBUTE.NET_HOST_PORT] = port;
  const peer = raw.socket.remoteAddress;
  if (peer) {
    attrs[HTTP_SERVER_ATTRIBUTE.NET_SOCK_PEER_ADDR] = peer;
    const peerPort = raw.socket.remotePort;
    if (peerPort !== undefined && peerPort > 0) attrs[HTTP_SERVER_ATTRIBUTE.NET_SOCK_PEER_PORT] = peerPort;
  }
  const userAgent = raw.headers['user-agent'];
  if (userAgent) attrs[HTTP_SERVER_ATTRIBUTE.USER_AGENT] = userAgent;
  const user = basicAuthUser(raw.headers.authorization);
  if (user !== undefined) attrs[HTTP_SERVER_ATTRIBUTE.ENDUSER_ID] = user;
  const forwarded = raw.headers['x-forwarded-for'];
  const forwardedFor = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  if (forwardedFor) attrs[HTTP_SERVER_ATTRIBUTE.CLIENT_IP] = forwardedFor.split(',')[0];
  return attrs;
}

/** semconvutil flavor(): `HTTP/1.1` ⇒ `1.1`, `HTTP/2` ⇒ `2.0`. Node reports the version without the prefix. */
function flavor(httpVersion: string): string {
  switch (httpVersion) {
    case '1.0':
    case '1.1':
      return httpVersion;
    case '2.0':
      return '2.0';
    default:
      return `HTTP/${httpVersion}`;
  }
}

/** semconvutil splitHostPort: host (possibly '') and port (-1 when missing or unparsable). */
export function splitHostPort(hostport: string): [string, number] {
  let host: string;
  let portText: string | undefined;
  if (hostport.startsWith('[')) {
    const end = hostport.lastIndexOf(']');
    if (end < 0) return ['', -1];
    host = hostport.slice(1, end);
    const rest = hostport.slice(end + 1);
    if (!rest.includes(':')) return [host, -1];
    if (!rest.startsWith(':')) return ['', -1];
    portText = rest.slice(1);
  } else {
    const i = hostport.lastIndexOf(':');
    if (i < 0) return [hostport, -1];
    host = hostport.slice(0, i);
    if (host.includes(':')) return ['', -1]; // net.SplitHostPort: too many colons
    portText = hostport.slice(i + 1);
  }
  if (!/^\d+$/.test(portText)) return [host, -1];
  const port = Number(portText);
  return port <= 65535 ? [host, port] : [host, -1];
}

/** Go Request.BasicAuth(): the user of an `Authorization: Basic` header, if well formed. */
function basicAuthUser(header: string | undefined): string | undefined {
  if (!header || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}
