import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ApiClient, WatchEvent } from './api-client';
import { ApiError } from './api-client';

/** An API object as the reflector keeps it: metadata with namespace, name and resourceVersion. */
export interface ApiObject {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** client-go tools/cache reflector.go timings. */
export const REFLECTOR = {
  /** minWatchTimeout: each watch asks the server to end it after 5–10 min (timeoutSeconds randomised). */
  MIN_WATCH_TIMEOUT_S: 300,
  /** The back-off between failed list/watch attempts: 800 ms doubling to 30 s (NewReflectorWithOptions defaults). */
  BACKOFF_INITIAL_MS: 800,
  BACKOFF_MAX_MS: 30_000,
} as const;

export interface ReflectorOptions<T extends ApiObject> {
  client: ApiClient;
  /** The collection path, e.g. `/api/v1/pods`. */
  path: string;
  /** Query parameters of both list and watch, e.g. `fieldSelector=spec.nodeName=node-a`. */
  query: Record<string, string>;
  /** The whole current set after every change (cache.UndeltaStore's PushFunc). */
  onSet(items: T[]): void;
  /** A list or watch failed; the reflector backs off and tries again. */
  onError(err: Error): void;
  random?: () => number;
}

/**
 * A client-go Reflector over an UndeltaStore (tools/cache/reflector.go ListAndWatch, undelta_store.go): list
 * (resourceVersion=0), push the set, then watch from the list's resourceVersion with allowWatchBookmarks and
 * a 5–10 min timeoutSeconds, pushing the whole set after each event; a watch the server ends is reopened
 * from the last resourceVersion seen, a 410 Expired relists, and failures back off 800 ms → 30 s. Its
 * requests run in context.Background(): with tracing they are root CLIENT spans.
 */
export class Reflector<T extends ApiObject> {
  private readonly items = new Map<string, T>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private synced = false;
  private lastResourceVersion = '';

  constructor(private readonly options: ReflectorOptions<T>) {}

  /** HasSynced: the first list has been pushed. */
  hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.running ??= otelContext.with(ROOT_CONTEXT, () => this.run());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let backoff: number = REFLECTOR.BACKOFF_INITIAL_MS;
    let needList = true;
    while (!this.abort.signal.aborted) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        await this.watchOnce();
        backoff = REFLECTOR.BACKOFF_INITIAL_MS;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (err instanceof ApiError && err.code === 410) {
          needList = true;
          continue;
        }
        this.options.onError(err as Error);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, REFLECTOR.BACKOFF_MAX_MS);
        needList = true;
      }
    }
  }

  private async list(): Promise<void> {
    const list = await this.options.client.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.url({ ...this.options.query, resourceVersion: '0' }));
    this.items.clear();
    for (const item of list.items) this.items.set(keyOf(item), item);
    this.lastResourceVersion = list.metadata.resourceVersion;
    this.synced = true;
    this.push();
  }

  private async watchOnce(): Promise<void> {
    const random = this.options.random ?? Math.random;
    const timeoutSeconds = Math.floor(REFLECTOR.MIN_WATCH_TIMEOUT_S * (random() + 1));
    const query = { ...this.options.query, watch: 'true', resourceVersion: this.lastResourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds) };
    await this.options.client.watch<T>(this.url(query), (e: WatchEvent<T>) => this.handle(e), this.abort.signal);
  }

  private handle(e: WatchEvent<T>): void {
    if (e.type === 'ERROR') {
      const status = e.object as unknown as { code?: number; reason?: string; message?: string };
      throw new ApiError(status.code ?? 500, status.reason ?? '', status.message ?? 'watch error');
    }
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.lastResourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    if (e.type === 'DELETED') this.items.delete(keyOf(e.object));
    else this.items.set(keyOf(e.object), e.object);
    this.push();
  }

  private push(): void {
    this.options.onSet([...this.items.values()]);
  }

  private url(query: Record<string, string>): string {
    return `${this.options.path}?${new URLSearchParams(query).toString()}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}

/** cache.MetaNamespaceKeyFunc. */
function keyOf(obj: ApiObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
