import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The kubelet's API client transport when the KubeletTracing gate is on: cmd/kubelet/app/server.go
 * buildKubeletClientConfig wraps the rest.Config with component-base `tracing.WrapperFor(tp)`, which is
 * `otelhttp.NewTransport(rt, WithPropagators(TraceContext+Baggage), WithTracerProvider(tp))`. Kubernetes 1.34
 * pins otelhttp v0.58.0 (k8s.io/apiserver v0.34.1 go.mod), whose Transport.RoundTrip
 * (instrumentation/net/http/otelhttp/transport.go@v0.58.0):
 * - starts a CLIENT span named by defaultTransportFormatter, `HTTP <METHOD>`, under the request's context;
 * - sets the old (v1.20) HTTP client attributes (internal/semconvutil httpconv.go ClientRequest):
 *   http.method, http.url, net.peer.name, net.peer.port (unless the scheme's default), user_agent.original,
 *   http.request_content_length (when > 0); injects W3C traceparent/tracestate and baggage;
 * - on a transport error records it and sets status Error with its text;
 * - on a response sets http.status_code and http.response_content_length (when the header gives it > 0),
 *   status Error (empty description) for codes ≥ 400 or outside 100–599, and ends the span only when the
 *   body is read to the end or closed: a watch's span lasts as long as the watch.
 */
export const OTELHTTP = {
  SCOPE_NAME: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp',
  SCOPE_VERSION: '0.58.0',
} as const;

/** The component-base Propagators(): W3C TraceContext then Baggage. */
const PROPAGATOR = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  bodyLength: number;
}

/** One traced round trip: headers to send (with trace context), then `response` / `failed`, then `bodyDone`. */
export interface TracedRoundTrip {
  headers: Record<string, string>;
  response(statusCode: number, contentLength: number | undefined): void;
  failed(err: Error): void;
  /** The body was read to the end or closed: the span ends (once). */
  bodyDone(): void;
}

/** Starts the CLIENT span of a request (undefined tracer: WrapperFor not installed, nothing traced or injected). */
export function startRoundTrip(tracer: Tracer | undefined, req: OutgoingRequest, parent: Context = otelContext.active()): TracedRoundTrip {
  if (tracer === undefined) {
    return { headers: req.headers, response: () => undefined, failed: () => undefined, bodyDone: () => undefined };
  }
  const span: Span = tracer.startSpan(`HTTP ${req.method}`, { kind: SpanKind.CLIENT, attributes: clientRequestAttributes(req) }, parent);
  const headers = { ...req.headers };
  PROPAGATOR.inject(trace.setSpan(parent, span), headers, headerSetter);
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    span.end();
  };
  return {
    headers,
    response(statusCode, contentLength) {
      const attrs: Attributes = {};
      if (statusCode > 0) attrs['http.status_code'] = statusCode;
      if (contentLength !== undefined && contentLength > 0) attrs['http.response_content_length'] = contentLength;
      span.setAttributes(attrs);
      if (statusCode < 100 || statusCode >= 600) span.setStatus({ code: SpanStatusCode.ERROR, message: `Invalid HTTP status code ${statusCode}` });
      else if (statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    },
    failed(err) {
      if (ended) return;
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      end();
    },
    bodyDone: end,
  };
}

/** semconvutil ClientRequest (v0.58.0): the request attributes of the CLIENT span. */
export function clientRequestAttributes(req: OutgoingRequest): Attributes {
  const attrs: Attributes = { 'http.method': req.method || 'GET', 'http.url': urlWithoutUserinfo(req.url), 'net.peer.name': req.url.hostname.replace(/^\[|\]$/g, '') };
  const https = req.url.protocol === 'https:';
  const port = req.url.port === '' ? (https ? 443 : 80) : Number(req.url.port);
  if (port !== (https ? 443 : 80)) attrs['net.peer.port'] = port;
  const ua = req.headers['User-Agent'];
  if (ua) attrs['user_agent.original'] = ua;
  if (req.bodyLength > 0) attrs['http.request_content_length'] = req.bodyLength;
  return attrs;
}

function urlWithoutUserinfo(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy.toString();
}
