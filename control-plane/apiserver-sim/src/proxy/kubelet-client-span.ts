/**
 * The apiserver's CLIENT span for a request to a kubelet, as otelhttp's Transport (v0.58.0, the version
 * k8s.io/apiserver v0.34 pins; transport.go RoundTrip) makes it when the kubelet transport is wrapped with
 * component-base tracing.WrapperFor: named `HTTP <method>` (defaultTransportFormatter), the old (v1.20)
 * client attributes of semconvutil HTTPClientRequest, the W3C trace context (and baggage) injected into
 * the request headers, `http.status_code` from the response and status Error for a code of 400 or more;
 * the span ends when the response body is closed, i.e. after the whole stream.
 *
 * UNVERIFIED against kube-apiserver: the kubelet_client.go versions read (pkg/kubelet/client, makeTransport)
 * build the transport without a tracing wrapper, and kube-aggregator wraps its proxy with tracing only for
 * non-upgrade requests (handler_proxy.go `APIServerTracing && !upgrade`). apiserver-sim makes this span so
 * that `kubectl exec` and `kubectl logs` are one trace from apiserver to runtime, as KEP-647/2831 describe.
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
