/**
 * The demo's stand-in for kube-scheduler with one node: pods nobody placed (spec.nodeName unset, for the
 * default-scheduler) are bound to that node through the `binding` subresource, as a scheduler's bind step
 * does (POST pods/<name>/binding with a v1 Binding targeting the Node). No filtering or scoring: there is
 * only one node. It lists, then watches from the list's resourceVersion, and starts over when the watch
 * ends. It talks plain HTTP with fetch and imports nothing from the sims.
 */
export interface SingleNodeBinderOptions {
  apiserverUrl: string;
  nodeName: string;
  onBound(namespace: string, name: string): void;
  onError(message: string): void;
}

interface PodMeta {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { nodeName?: string; schedulerName?: string };
}

const USER_AGENT = 'node-demo-binder/v0.0.0';
const UNSCHEDULED = `fieldSelector=${encodeURIComponent('spec.nodeName=')}`;
const RETRY_MS = 1_000;

export class SingleNodeBinder {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: SingleNodeBinderOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const res = await fetch(`${this.options.apiserverUrl}/api/v1/pods?${UNSCHEDULED}`, { headers: { 'User-Agent': USER_AGENT }, signal: this.abort.signal });
        const list = (await res.json()) as { metadata: { resourceVersion: string }; items: PodMeta[] };
        for (const pod of list.items) await this.bind(pod);
        await this.watch(list.metadata.resourceVersion);
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.options.onError((err as Error).message);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private async watch(resourceVersion: string): Promise<void> {
    const res = await fetch(`${this.options.apiserverUrl}/api/v1/pods?${UNSCHEDULED}&watch=true&resourceVersion=${resourceVersion}&timeoutSeconds=300`, {
      headers: { 'User-Agent': USER_AGENT },
      signal: this.abort.signal,
    });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line === '') continue;
        const event = JSON.parse(line) as { type: string; object: PodMeta };
        if (event.type === 'ADDED' || event.type === 'MODIFIED') await this.bind(event.object);
      }
    }
  }

  private async bind(pod: PodMeta): Promise<void> {
    if (pod.spec?.nodeName || (pod.spec?.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    const { namespace, name } = pod.metadata;
    const res = await fetch(`${this.options.apiserverUrl}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: this.options.nodeName } }),
      signal: this.abort.signal,
    });
    if (res.status === 201) this.options.onBound(namespace, name);
    else if (res.status !== 409 && res.status !== 404) this.options.onError(`binding ${namespace}/${name}: HTTP ${res.status} ${await res.text()}`);
  }
}
