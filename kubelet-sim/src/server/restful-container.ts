import type { IncomingMessage, ServerResponse } from 'node:http';

/** A complete response: kubelet-sim's endpoints answer small bodies, so no streaming is needed. */
export interface HandlerResult {
  status: number;
  headers: Record<string, string>;
  body: string;
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
}

export type Handler = (req: RestfulRequest) => Promise<HandlerResult> | HandlerResult;
export type Filter = (req: RestfulRequest, next: () => Promise<HandlerResult>) => Promise<HandlerResult>;

interface Route {
  method: string;
  /** Full template, e.g. `/pods`. Only literal templates are needed here. */
  template: string;
  handler: Handler;
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
    this.serviceRoots.add(template);
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
  async serve(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://kubelet.invalid');
    const result = await this.dispatch(raw, url).catch((err: unknown): HandlerResult => ({
      status: 500,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: `${(err as Error).message}\n`,
    }));
    if (res.headersSent) return;
    res.writeHead(result.status, { ...result.headers, 'Content-Length': Buffer.byteLength(result.body) });
    res.end(raw.method === 'HEAD' ? undefined : result.body);
  }

  private dispatch(raw: IncomingMessage, url: URL): Promise<HandlerResult> {
    const path = url.pathname;
    const handler = this.handles.get(path);
    if (handler !== undefined) return this.runFilters({ raw, url, routePath: '' }, handler);
    const root = [...this.serviceRoots].find((r) => path === r || path.startsWith(`${r}/`));
    if (root === undefined) return Promise.resolve({ status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: '404 page not found\n' });
    const samePath = this.routes.filter((r) => r.template === path);
    const route = samePath.find((r) => r.method === (raw.method ?? 'GET'));
    if (route !== undefined) return this.runFilters({ raw, url, routePath: route.template }, route.handler);
    // go-restful answers before its router can select a route; container filters still run around it.
    const notFound = samePath.length === 0;
    const answer: HandlerResult = notFound
      ? { status: 404, headers: {}, body: '404: Page Not Found' }
      : { status: 405, headers: {}, body: '405: Method Not Allowed' };
    return this.runFilters({ raw, url, routePath: '' }, () => answer);
  }

  private runFilters(req: RestfulRequest, target: Handler): Promise<HandlerResult> {
    const step = (i: number): Promise<HandlerResult> => (i < this.filters.length ? this.filters[i](req, () => step(i + 1)) : Promise.resolve().then(() => target(req)));
    return step(0);
  }
}
