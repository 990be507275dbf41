/**
 * The apiserver's etcd v3 client: KV, Watch and Lease stubs over one channel, with otelgrpc's message events
 * on every call (pkg/storage/storagebackend/factory/etcd3.go@v0.34.10 newETCD3Client: otelgrpc client stats
 * handler with WithMessageEvents(ReceivedEvents, SentEvents) and component-base propagators; the CLIENT spans
 * themselves come from the process's gRPC instrumentation). Loads @grpc/grpc-js when constructed, so build it
 * after tracing is set up.
 */
import type * as grpc from '@grpc/grpc-js';
import { createMessageEventsInterceptor } from '../../../../cri-proto/src/tracing/message-events-interceptor';
import type { ResponseSerializers } from '../../../../cri-proto/src/tracing/message-events-interceptor';
import { loadEtcdServices } from '../../../etcd-proto/src/load-etcd';
import type {
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchRequest,
  WatchResponse,
} from '../../../etcd-proto/src/etcd-types';

/** What the storage layer needs from etcd. */
export interface EtcdKv {
  range(req: RangeRequest): Promise<RangeResponse>;
  txn(req: TxnRequest): Promise<TxnResponse>;
  /** Opens a Watch stream (one per caller here; clientv3 shares streams per context). */
  watch(): grpc.ClientDuplexStream<WatchRequest, WatchResponse>;
  close(): void;
}

/** The apiserver's per-request etcd deadline is the request's; a bound here keeps a wedged etcd from hanging calls. */
export const ETCD_CALL_TIMEOUT_MS = 60_000;

/**
 * `--etcd-servers` value → gRPC target: `http://127.0.0.1:2379` → `127.0.0.1:2379`, `unix:///p` kept. Only
 * the first server is used (clientv3 balances between all; one is enough for a simulation).
 */
export function etcdTarget(servers: string): string {
  const first = servers.split(',')[0]?.trim() ?? '';
  if (first.startsWith('unix://')) return first;
  const match = /^https?:\/\/([^/]+)\/?$/.exec(first);
  if (!match) throw new Error(`--etcd-servers: ${JSON.stringify(first)}: expected http://127.0.0.1:<port> or unix:///path`);
  if (first.startsWith('https:')) throw new Error(`--etcd-servers: ${JSON.stringify(first)}: TLS to etcd is not supported by apiserver-sim; use http://`);
  return match[1] as string;
}

export function createEtcdClient(servers: string): EtcdKv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpcJs = require('@grpc/grpc-js') as typeof grpc;
  const services = loadEtcdServices(grpcJs);
  const serializers = new Map<string, (value: unknown) => Buffer>();
  for (const ctor of [services.KV, services.Watch, services.Lease, services.Maintenance]) {
    for (const method of Object.values((ctor as grpc.ServiceClientConstructor).service)) serializers.set(method.path, method.responseSerialize as (v: unknown) => Buffer);
  }
  const options: grpc.ClientOptions = {
    // clientv3's default max receive size is math.MaxInt32; the apiserver sets 2 GiB-ish limits too.
    'grpc.max_receive_message_length': 2 ** 31 - 1,
    interceptors: [createMessageEventsInterceptor(grpcJs, serializers as ResponseSerializers)],
  };
  const target = etcdTarget(servers);
  const credentials = grpcJs.credentials.createInsecure();
  const kv = new services.KV(target, credentials, options) as grpc.Client & Record<string, Function>;
  const watch = new services.Watch(target, credentials, { ...options, channelOverride: kv.getChannel() }) as grpc.Client & Record<string, Function>;
  const deadline = (): grpc.CallOptions => ({ deadline: Date.now() + ETCD_CALL_TIMEOUT_MS });
  const unary = <Req, Res>(method: string, req: Req): Promise<Res> =>
    new Promise((resolve, reject) => {
      (kv[method] as Function).call(kv, req, deadline(), (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
    });
  return {
    range: (req) => unary('Range', req),
    txn: (req) => unary('Txn', req),
    watch: () => (watch.Watch as Function).call(watch) as grpc.ClientDuplexStream<WatchRequest, WatchResponse>,
    close: () => {
      watch.close();
      kv.close();
    },
  };
}
