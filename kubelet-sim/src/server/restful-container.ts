import { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * A response. Small answers are returned whole; a handler that streams (container logs) or hijacks the
 * connection (exec, attach, port-forward) writes it itself and returns `committed: true` with the
 * status it sent, once it is done, so filters around it (the tracing filter) see the whole exchange.
 */
export interface HandlerResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  committed?: boolean;
}

/** The connection of an HTTP upgrade request (Node hands these over apart from ordinary requests). */
export interface UpgradeConnection {
  readonly socket: Duplex;
  /** Bytes the client sent after the request headers. */
  readonly head: Buffer;
}

/** What filters and handlers see of a request. */
export interface RestfulRequest {
  readonly raw: IncomingMessage;
  readonly url: URL;
  /**
   * go-restful `SelectedRoutePath()`: the template of the matched route (`/pods`), or '' when the request
   * reached the filters without a route (a `Handle` path, or a web service path no route matched).
   */
  readonly routePath: string;
  /** go-restful PathParameter values of the matched route (`{podNamespace}` → `default`). */
  readonly pathParams: Readonly<Record<string, string>>;
  /** Where a streaming handler writes. */
  readonly response: ServerResponse;
  /** Set when the request asks for a protocol upgrade (Connection: Upgrade). */
  readonly upgrade?: UpgradeConnection;
}

export type Handler = (req: RestfulRequest) => Promise<HandlerResult> | HandlerResult;
export type Filter = (req: RestfulRequest, next: () => Promise<HandlerResult>) => Promise<HandlerResult>;

interface Route {
  method: string;
  /** Full template, e.g. `/pods` or `/exec/{podNamespace}/{podID}/{containerName}`. */
  template: string;
  handler: Handler;
}

/** go-restful's matching of one `{name}` per path segment; the parameters, or undefined. */
function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    const param = /^\{([^}:]+)\}$/.exec(w);
    if (param) {
      if (g === '') return undefined;
      params[param[1]!] = decodeURIComponent(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** The web service root a route template belongs to: its literal prefix (`/exec/{…}` → `/exec`). */
function serviceRootOf(template: string): string {
  const brace = template.indexOf('{');
  return brace < 0 ? template : template.slice(0, brace).replace(/\/+$/, '') || '/';
}

/**
 * The part of go-restful's Container the kubelet server relies on (emicklei/go-restful v3 container.go):
 * - `route()`: a web service route. The service's root path is registered on the mux; a request under it
 *   runs the container filters with the route selected, or, when no route matches, still runs them (with no
 *   route) around go-restful's `404: Page Not Found` / `405: Method Not Allowed` answer.
 * - `handle()`: the kubelet's filteringContainer turns `Handle` into `HandleWithFilter`, so container
 *   filters run for these paths too, with no route selected (server.go filteringContainer).
 * - Anything else is the ServeMux's own `404 page not found`, which no filter sees.
 * Filters run in the order added, around the handler.
 */
export class RestfulContainer {
  private readonly routes: Route[] = [];
  private readonly serviceRoots = new Set<string>();
  private readonly handles = new Map<string, Handler>();
  private readonly filters: Filter[] = [];

  route(method: string, template: string, handler: Handler): void {
    this.routes.push({ method, template, handler });
    this.serviceRoots.add(serviceRootOf(template));
  }

  handle(path: string, handler: Handler): void {
    if (this.handles.has(path)) throw new Error(`http: multiple registrations for ${path}`);
    this.handles.set(path, handler);
  }

  filter(filter: Filter): void {
    this.filters.push(filter);
  }

  /** The paths registered with `handle`, in order (filteringContainer.RegisteredHandlePaths). */
  registeredHandlePaths(): string[] {
    return [...this.handles.keys()];
  }

  /** Serves one request; never rejects (handler errors become a 500). */
  async serve(raw: IncomingMessage, res: ServerResponse, upgrade?: UpgradeConnection): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://kubelet.invalid');
    const result = await this.dispatch(raw, url, res, upgrade).catch((err: unknown): HandlerResult => ({
      status: 500,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: `${(err as Error).message}\n`,
    }));
    if (result.committed || res.headersSent) return;
    res.writeHead(result.status, { ...result.headers, 'Content-Length': Buffer.byteLength(result.body) });
    res.end(raw.method === 'HEAD' ? undefined : result.body);
  }

  /**
   * Serves a request Node delivered as an upgrade (its `upgrade` event): the same routing and filters, with
   * a response object bound to the raw connection, so a handler that does not take the connection over
   * answers with ordinary HTTP (Go's server treats these requests no differently until a handler hijacks).
   */
  serveUpgrade(raw: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const res = new ServerResponse(raw);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.once('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    return this.serve(raw, res, { socket, head });
  }

  private dispatch(raw: IncomingMessage, url: URL, response: ServerResponse, upgrade: UpgradeConnection | undefined): Promise<HandlerResult> {
    const path = url.pathname;
    const base = { raw, url, response, upgrade, pathParams: {} };
    const handler = this.handles.get(path);
    if (handler !== undefined) return this.runFilters({ ...base, routePath: '' }, handler);
    const root = [...this.serviceRoots].find((r) => path === r || path.startsWith(`${r}/`));
    if (root === undefined) return Promise.resolve({ status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: '404 page not found\n' });
    const samePath = this.routes.map((r) => ({ route: r, params: matchTemplate(r.template, path) })).filter((m) => m.params !== undefined);
    const match = samePath.find((m) => m.route.method === (raw.method ?? 'GET'));
    if (match !== undefined) return this.runFilters({ ...base, routePath: match.route.template, pathParams: match.params! }, match.route.handler);
    // go-restful answers before its router can select a route; container filters still run around it.
    const notFound = samePath.length === 0;
    const answer: HandlerResult = notFound
      ? { status: 404, headers: {}, body: '404: Page Not Found' }
      : { status: 405, headers: {}, body: '405: Method Not Allowed' };
    return this.runFilters({ ...base, routePath: '' }, () => answer);
  }

  private runFilters(req: RestfulRequest, target: Handler): Promise<HandlerResult> {
    const step = (i: number): Promise<HandlerResult> => (i < this.filters.length ? this.filters[i](req, () => step(i + 1)) : Promise.resolve().then(() => target(req)));
    return step(0);
  }
}
