/**
 * How apiserver-sim's requests to a kubelet are traced.
 *
 * By default, as kube-apiserver: not at all. Its kubelet transport is pkg/kubelet/client/kubelet_client.go
 * `makeTransport` → client-go `transport.New` with a transport.Config that sets no WrapTransport, and
 * `HTTPWrappersForConfig` adds only debug, auth, user-agent and impersonation wrappers (both read at v1.34).
 * The proxying (k8s.io/apimachinery util/proxy upgradeaware.go; the apiserver's StreamTranslatorHandler,
 * which opens a new request with remotecommand's SPDY executor; registry/generic/rest streamer.go for logs)
 * applies no propagator either. So the apiserver makes no CLIENT span to the kubelet and injects no
 * `traceparent`: the kubelet's SERVER span starts a trace of its own, unless the client's own headers,
 * forwarded as they came on the upgrade pass-through, carry one.
 *
 * `--trace-kubelet-proxy` (not what kube-apiserver does) makes the CLIENT span as otelhttp's Transport
 * (v0.58.0, pinned by k8s.io/apiserver v0.34; transport.go RoundTrip) would if the kubelet transport were
 * wrapped with component-base tracing.WrapperFor: named `HTTP <method>`, the old (v1.20) client attributes of
 * semconvutil HTTPClientRequest, W3C context (and baggage) injected, `http.status_code` from the response
 * and status Error from 400; it ends when the response body is closed, i.e. after the whole stream. Then
 * `kubectl exec` and `kubectl logs` are one trace from apiserver to runtime, the story KEP-647 tells.
 */
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/** Starts the CLIENT span under the active context and returns it with the headers to send. */
export function startKubeletClientSpan(tracer: Tracer, method: string, url: URL, userAgent: string | undefined): { span: Span; headers: Record<string, string> } {
  const attributes: Attributes = {
    'http.method': method,
    'http.url': url.toString(),
    'net.peer.name': url.hostname.replace(/^\[|\]$/g, ''),
  };
  const port = Number(url.port || 80);
  if (port !== 80) attributes['net.peer.port'] = port;
  if (userAgent) attributes['user_agent.original'] = userAgent;
  const span = tracer.startSpan(`HTTP ${method}`, { kind: SpanKind.CLIENT, attributes }, otelContext.active());
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(otelContext.active(), span), headers);
  return { span, headers };
}

/** Records the response status (0: no response) and the transport error, then ends the span. */
export function endKubeletClientSpan(span: Span, statusCode: number, error?: string): void {
  if (statusCode > 0) {
    span.setAttribute('http.status_code', statusCode);
    if (statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  if (error !== undefined) {
    span.recordException({ name: 'Error', message: error });
    span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  }
  span.end();
}

/** One request to a kubelet: the headers to add, and what to call once it is over. */
export interface KubeletRequestTrace {
  headers: Record<string, string>;
  end(statusCode: number, error?: string): void;
}

/**
 * The trace of one request to a kubelet: nothing (kube-apiserver's behaviour) without `tracer`, or the
 * opt-in CLIENT span with its injected context.
 */
export function traceKubeletRequest(tracer: Tracer | undefined, method: string, url: URL, userAgent: string | undefined): KubeletRequestTrace {
  if (tracer === undefined) return { headers: {}, end: () => undefined };
  const { span, headers } = startKubeletClientSpan(tracer, method, url, userAgent);
  return { headers, end: (statusCode, error) => endKubeletClientSpan(span, statusCode, error) };
}
