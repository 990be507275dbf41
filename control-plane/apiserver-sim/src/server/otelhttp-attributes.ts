import type { IncomingMessage } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import type { RequestInfo } from './request-info';

/**
 * The SERVER span's name (k8s.io/apiserver pkg/endpoints/filters/traces.go@v0.34.10 WithTracing's span name
 * formatter): the method alone for non-resource requests, else "<METHOD> /<prefix>[/<group>]/<version>
 * [/namespaces/{:namespace}]/<resource>[/{:name}][/<subresource>]".
 */
export function serverSpanName(method: string, info: RequestInfo): string {
  if (!info.isResourceRequest) return method;
  let name = `/${info.apiPrefix}`;
  if (info.apiGroup !== '') name += `/${info.apiGroup}`;
  name += `/${info.apiVersion}`;
  if (info.namespace !== '') name += '/namespaces/{:namespace}';
  name += `/${info.resource}`;
  if (info.name !== '') name += '/{:name}';
  if (info.subresource !== '') name += `/${info.subresource}`;
  return `${method} ${name}`;
}

/**
 * otelhttp v0.58.0's request attributes with the default (old, v1.20) semantic conventions
 * (internal/semconvutil/httpconv.go ServerRequest): http.method, http.scheme, net.host.name, net.host.port
 * (unless the scheme's default), net.sock.peer.addr/port, user_agent.original, http.client_ip (first
 * X-Forwarded-For entry), http.target (the path), net.protocol.version. WithTracing then overwrites
 * http.target with the request URI (query included) and adds audit-id.
 */
export function otelhttpRequestAttributes(req: IncomingMessage, requestUri: string, auditId: string, tls: boolean): Attributes {
  const attrs: Attributes = { 'http.method': req.method ?? 'GET', 'http.scheme': tls ? 'https' : 'http' };
  const host = req.headers.host ?? '';
  const hostMatch = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  attrs['net.host.name'] = hostMatch ? (hostMatch[1] as string).replace(/^\[|\]$/g, '') : host;
  const port = hostMatch?.[2] ? Number(hostMatch[2]) : -1;
  if (port > 0 && port !== (tls ? 443 : 80)) attrs['net.host.port'] = port;
  if (req.socket.remoteAddress) {
    attrs['net.sock.peer.addr'] = req.socket.remoteAddress;
    if (req.socket.remotePort) attrs['net.sock.peer.port'] = req.socket.remotePort;
  }
  const ua = req.headers['user-agent'];
  if (ua) attrs['user_agent.original'] = ua;
  const forwarded = req.headers['x-forwarded-for'];
  const clientIp = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (clientIp) attrs['http.client_ip'] = clientIp;
  attrs['http.target'] = requestUri;
  attrs['net.protocol.version'] = req.httpVersion === '2.0' ? '2' : req.httpVersion;
  attrs['audit-id'] = auditId;
  return attrs;
}

/** otelhttp's response attributes (semconv v1.20.0.go ResponseTraceAttrs) and status: Error only for 5xx. */
export function otelhttpResponseAttributes(readBytes: number, wroteBytes: number, statusCode: number): Attributes {
  const attrs: Attributes = {};
  if (readBytes > 0) attrs['http.request_content_length'] = readBytes;
  if (wroteBytes > 0) attrs['http.response_content_length'] = wroteBytes;
  if (statusCode > 0) attrs['http.status_code'] = statusCode;
  return attrs;
}
