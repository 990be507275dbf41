import type { Attributes } from '@opentelemetry/api';
import type { RequestScope } from './request-scope';

/** handlers/helpers.go maxUserAgentLength / userAgentTruncateSuffix. */
const MAX_USER_AGENT_LENGTH = 1024;
const USER_AGENT_TRUNCATE_SUFFIX = '...TRUNCATED';

/**
 * k8s.io/apiserver pkg/endpoints/handlers/trace_util.go@v0.34.10 traceFields: the attributes of the
 * Create/Get/List/Update/Delete spans, from the request and its RequestInfo.
 */
export function traceFields(scope: RequestScope): Attributes {
  const { req, info } = scope;
  let ua = req.headers['user-agent'] ?? 'unknown';
  if (ua.length > MAX_USER_AGENT_LENGTH) ua = ua.slice(0, MAX_USER_AGENT_LENGTH) + USER_AGENT_TRUNCATE_SUFFIX;
  return {
    accept: req.headers.accept ?? '',
    'audit-id': scope.auditId,
    client: clientIp(scope),
    'api-group': info.apiGroup,
    'api-version': info.apiVersion,
    name: info.name,
    subresource: info.subresource,
    namespace: info.namespace,
    protocol: `HTTP/${req.httpVersion}`,
    resource: info.resource,
    scope: cleanScope(scope),
    url: scope.url.pathname,
    'user-agent': ua,
    verb: normalizedVerb(scope),
  };
}

/** utilnet.GetClientIP: first X-Forwarded-For entry, then X-Real-Ip, then the peer address. */
function clientIp(scope: RequestScope): string {
  const fwd = scope.req.headers['x-forwarded-for'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  if (first) return first;
  const real = scope.req.headers['x-real-ip'];
  if (typeof real === 'string' && real !== '') return real;
  return scope.req.socket.remoteAddress ?? 'unknown';
}

/** endpoints/metrics/metrics.go CleanScope. */
function cleanScope(scope: RequestScope): string {
  const { info } = scope;
  if (info.name !== '' || info.verb === 'create') return 'resource';
  if (info.namespace !== '') return 'namespace';
  if (info.isResourceRequest) return 'cluster';
  return '';
}

/** endpoints/metrics/metrics.go NormalizedVerb: LIST/WATCH from RequestInfo, else the method (APPLY for apply patches). */
function normalizedVerb(scope: RequestScope): string {
  const { info, req } = scope;
  if (info.verb === 'list') return 'LIST';
  if (info.verb === 'watch') return 'WATCH';
  if (req.method === 'PATCH' && req.headers['content-type'] === 'application/apply-patch+yaml') return 'APPLY';
  return (req.method ?? '').toUpperCase();
}
