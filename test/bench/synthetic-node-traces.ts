/**
 * A synthetic OTLP JSON lines file shaped like a busy node's: pod startups (a kubelet `syncPod` with its CRI
 * CLIENT calls, each with a CRI-O SERVER span and CRI-O's container log lines) among the kubelet's background
 * root CLIENT calls, written as the Collector's file exporter writes it (one export request per line, kubelet and
 * runtime spans in separate requests, ids as hex, enums as numbers, int64 as strings). Seeded, so a size gives
 * the same file every time. For the streaming benchmark only: the shapes are close to, not copies of, a real run.
 */
import { createWriteStream } from 'node:fs';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: Record<string, string> }[];
  events?: { timeUnixNano: string; name: string; attributes: { key: string; value: Record<string, string> }[] }[];
  status: Record<string, never>;
}

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const str = (v: string): Record<string, string> => ({ stringValue: v });
const int = (v: number): Record<string, string> => ({ intValue: String(v) });

/** Writes about `spanCount` spans (whole traces) to `path`, plus `malformedLines` broken lines; resolves with the exact count. */
export async function writeSyntheticNodeTraces(path: string, spanCount: number, malformedLines = 0, seed = 1): Promise<number> {
  const random = rng(seed);
  const hex = (digits: number): string => {
    let s = '';
    while (s.length < digits) s += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, digits);
  };
  const out = createWriteStream(path);
  const write = (line: string): Promise<void> | undefined => (out.write(`${line}\n`) ? undefined : new Promise((r) => out.once('drain', () => r())));
  const kubeletBatch: Span[] = [];
  const crioBatch: Span[] = [];
  const kubeletResource = { attributes: [{ key: 'service.name', value: str('kubelet') }, { key: 'host.name', value: str('node-1') }] };
  const crioResource = { attributes: [{ key: 'service.name', value: str('crio') }] };
  const flush = async (): Promise<void> => {
    for (const [batch, resource, scope] of [[kubeletBatch, kubeletResource, 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc'], [crioBatch, crioResource, 'crio']] as const) {
      if (batch.length === 0) continue;
      await write(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: scope }, spans: batch }] }] }));
      batch.length = 0;
    }
  };
  let written = 0;
  let broken = 0;
  let clockNs = 1_796_000_000_000_000_000n;
  const ms = (v: number): bigint => BigInt(Math.round(v * 1e6));
  const rpc = (traceId: string, parent: string | undefined, method: string, startNs: bigint, durMs: number, logs: string[]): void => {
    const service = /Image/.test(method) ? 'ImageService' : 'RuntimeService';
    const client = hex(16);
    const end = startNs + ms(durMs);
    kubeletBatch.push({
      traceId, spanId: client, ...(parent ? { parentSpanId: parent } : {}), name: `runtime.v1.${service}/${method}`, kind: 3,
      startTimeUnixNano: startNs.toString(), endTimeUnixNano: end.toString(),
      attributes: [{ key: 'rpc.system', value: str('grpc') }, { key: 'rpc.method', value: str(method) }, { key: 'rpc.service', value: str(`runtime.v1.${service}`) }, { key: 'rpc.grpc.status_code', value: int(0) }],
      status: {},
    });
    crioBatch.push({
      traceId, spanId: hex(16), parentSpanId: client, name: `runtime.v1.${service}/${method}`, kind: 2,
      startTimeUnixNano: (startNs + ms(0.2)).toString(), endTimeUnixNano: (end - ms(0.2)).toString(),
      events: logs.map((m) => ({ timeUnixNano: (startNs + ms(0.3)).toString(), name: 'log', attributes: [{ key: 'log.message', value: str(m) }, { key: 'log.severity', value: str('INFO') }] })),
      status: {},
    });
    written += 2;
  };
  let pod = 0;
  while (written < spanCount) {
    if (random() < 0.3) {
      // A pod startup: ~24 spans in one trace.
      pod += 1;
      const traceId = hex(32);
      const root = hex(16);
      const name = `app-${pod}`;
      const start = clockNs;
      let t = start + ms(1);
      const step = (method: string, dur: number, logs: string[] = []): void => {
        rpc(traceId, root, method, t, dur, logs);
        t += ms(dur + 0.5);
      };
      step('RunPodSandbox', 20 + random() * 200);
      step('PodSandboxStatus', 1);
      for (const c of ['init', 'main']) {
        const id = hex(64);
        step('ImageStatus', 1);
        if (random() < 0.4) step('PullImage', 100 + random() * 5000);
        step('CreateContainer', 10 + random() * 100, [`Creating container: default/${name}/${c}`, `Created container ${id}: default/${name}/${c}`]);
        step('StartContainer', 5 + random() * 50, [`Starting container: ${id}`]);
      }
      kubeletBatch.push({
        traceId, spanId: root, name: 'syncPod', kind: 1, startTimeUnixNano: start.toString(), endTimeUnixNano: (t + ms(1)).toString(),
        attributes: [{ key: 'k8s.pod', value: str(`default/${name}`) }, { key: 'k8s.pod.uid', value: str(hex(32)) }, { key: 'k8s.pod.name', value: str(name) }, { key: 'k8s.namespace.name', value: str('default') }, { key: 'k8s.pod.update_type', value: str('create') }],
        status: {},
      });
      written += 1;
    } else {
      // Background: a root CLIENT call with its server span.
      rpc(hex(32), undefined, random() < 0.5 ? 'ListContainers' : 'ListPodSandbox', clockNs, 0.5 + random() * 3, []);
    }
    clockNs += ms(5 + random() * 20);
    if (kubeletBatch.length >= 256) await flush();
    if (broken < malformedLines && random() < 0.001) {
      broken += 1;
      await write('{"resourceSpans":[{"resource":');
    }
  }
  await flush();
  while (broken < malformedLines) {
    broken += 1;
    await write('not json');
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return written;
}
