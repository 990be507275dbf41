import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Link, Span, Tracer } from '@opentelemetry/api';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestScope } from '../handlers/request-scope';
import { StatusError, writeObject } from '../handlers/responses';
import type { UserInfo, TokenUsers } from './authentication';
import { authenticate, isPublicEndpointUser } from './authentication';
import { otelhttpRequestAttributes, otelhttpResponseAttributes, serverSpanName } from './otelhttp-attributes';
import type { RequestInfo } from './request-info';
import { requestInfoOf } from './request-info';

/** The tracers of the chain: otelhttp's SERVER span, filterlatency's filter spans, component-base's. */
export interface ChainTracers {
  otelhttp: Tracer;
  filterlatency: Tracer;
  componentBase: Tracer;
}

export type RouteHandler = (scope: RequestScope) => Promise<void>;

/**
 * The request path of k8s.io/apiserver's DefaultBuildHandlerChain (pkg/server/config.go@v0.34.10), outermost
 * first, with the spans each filter makes:
 * 1. WithAuditInit (Audit-ID from the request or a new UUID, echoed as Audit-Id), WithRequestInfo,
 *    WithRequestReceivedTimestamp;
 * 2. filterlatency "authentication" span (a root: no span is in the context yet), WithAuthentication;
 * 3. WithTracing: otelhttp SERVER span named by the RequestInfo; incoming W3C context extracted, but for
 *    users outside system:masters/system:monitoring the span is a new root with that context only as a link;
 * 4. filterlatency spans "audit", "impersonation", "priorityandfairness", "authorization", nested; the
 *    authorizer allows every request (--authorization-mode=AlwaysAllow): client-go sends no bearer token over
 *    plain HTTP, so kubectl's requests arrive as system:anonymous;
 * 5. the route (its component-base handler spans and storage spans beneath).
 */
export function createHandlerChain(tracers: ChainTracers, tokens: TokenUsers, route: (info: RequestInfo, url: URL) => RouteHandler | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const receivedAt = new Date();
    const auditId = headerValue(req, 'audit-id') || randomUUID();
    res.setHeader('Audit-Id', auditId);
    res.setHeader('Cache-Control', 'no-cache, private');
    const url = new URL(req.url ?? '/', 'http://apiserver.local');
    const info = requestInfoOf(req.method ?? 'GET', url);

    let readBytes = 0;
    let bodyPromise: Promise<Buffer> | undefined;
    const body = (): Promise<Buffer> =>
      (bodyPromise ??= new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => {
          readBytes += c.length;
          chunks.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      }));
    let wroteBytes = 0;
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) wroteBytes += Buffer.byteLength(chunk as string | Buffer);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') wroteBytes += Buffer.byteLength(chunk as string | Buffer);
      return end(chunk, ...rest);
    }) as typeof res.end;

    const authSpan = tracers.filterlatency.startSpan('authentication', { startTime: receivedAt }, ROOT_CONTEXT);
    const authCtx = trace.setSpan(ROOT_CONTEXT, authSpan);
    void otelContext.with(authCtx, async () => {
      try {
        const auth = authenticate(req, tokens);
        if ('unauthorized' in auth) {
          writeStatusPlain(res, new StatusError(401, 'Unauthorized', 'Unauthorized'));
          return;
        }
        await serveTraced(auth.user);
      } finally {
        authSpan.end();
      }
    });

    async function serveTraced(user: UserInfo): Promise<void> {
      const extracted = propagation.extract(otelContext.active(), req.headers);
      const remote = trace.getSpanContext(extracted);
      const isPublic = isPublicEndpointUser(user);
      const links: Link[] = isPublic && remote && remote.isRemote ? [{ context: remote }] : [];
      const parentCtx = isPublic ? ROOT_CONTEXT : extracted;
      const span = tracers.otelhttp.startSpan(
        serverSpanName(req.method ?? 'GET', info),
        { kind: SpanKind.SERVER, attributes: otelhttpRequestAttributes(req, req.url ?? '/', auditId, false), links, startTime: receivedAt },
        parentCtx,
      );
      // The request context keeps the extracted baggage; only the parent span is replaced.
      const ctx = trace.setSpan(isPublic ? extracted : parentCtx, span);
      try {
        await otelContext.with(ctx, () => nested(['audit', 'impersonation', 'priorityandfairness', 'authorization'], () => dispatch(user)));
      } finally {
        span.setAttributes(otelhttpResponseAttributes(readBytes, wroteBytes, res.statusCode));
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    }

    async function nested(names: string[], inner: () => Promise<void>): Promise<void> {
      if (names.length === 0) return inner();
      const [first, ...rest] = names as [string, ...string[]];
      const span: Span = tracers.filterlatency.startSpan(first, {}, otelContext.active());
      try {
        await otelContext.with(trace.setSpan(otelContext.active(), span), () => nested(rest, inner));
      } finally {
        span.end();
      }
    }

    async function dispatch(user: UserInfo): Promise<void> {
      const scope: RequestScope = { req, res, url, info, user, auditId, tracer: tracers.componentBase, body };
      try {
        const handler = route(info, url);
        if (!handler) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        await handler(scope);
      } catch (err) {
        const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
        if (!res.headersSent) {
          await writeObject(scope, status.code, status.toStatus());
        } else if (!res.writableEnded) {
          res.end();
        }
      }
    }
  };
}

function writeStatusPlain(res: ServerResponse, status: StatusError): void {
  const body = JSON.stringify(status.toStatus()) + '\n';
  res.writeHead(status.code, { 'Content-Type': 'application/json' });
  res.end(body);
}

function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}
