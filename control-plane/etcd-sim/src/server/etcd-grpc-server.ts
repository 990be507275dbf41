/**
 * etcd-sim's gRPC server: KV, Watch, Lease and Maintenance.Status of etcdserverpb over one MvccStore.
 * Loads @grpc/grpc-js lazily (require inside startEtcdGrpcServer) so tracing can be registered first.
 */
import type * as grpc from '@grpc/grpc-js';
import type {
  CompactionRequest,
  DeleteRangeRequest,
  LeaseGrantRequest,
  PutRequest,
  RangeRequest,
  ResponseHeader,
  TxnRequest,
  WatchRequest,
  WatchResponse,
} from '../../../etcd-proto/src/etcd-types';
import { EtcdError } from '../../../etcd-proto/src/etcd-errors';
import { loadEtcdServices } from '../../../etcd-proto/src/load-etcd';
import { LEASE_CHECK_PERIOD_MS, Lessor } from '../lease/lessor';
import { MvccStore } from '../mvcc/mvcc-store';
import { WatchStream } from '../mvcc/watch-stream';

/** The etcd version etcd-sim answers Maintenance.Status with. */
export const ETCD_SIM_VERSION = '3.6.4';
/** Progress notifications for watchers that asked (etcd's default --experimental-watch-progress-notify-interval is 10 min). */
export const WATCH_PROGRESS_NOTIFY_INTERVAL_MS = 10 * 60 * 1000;

export interface EtcdGrpcServerOptions {
  /** `unix:///path` or `host:port` (loopback). */
  listen: string;
  clusterId?: number;
  memberId?: number;
  nowMs?: () => number;
  /** etcd's gRPC request limit (--max-request-bytes 1.5 MiB) plus gRPC overhead (server/embed config.go). */
  maxRequestBytes?: number;
}

export interface EtcdGrpcServer {
  /** What was bound: `unix:///path` or `127.0.0.1:<port>`. */
  readonly address: string;
  readonly store: MvccStore;
  readonly lessor: Lessor;
  close(): Promise<void>;
}

const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024 + 512 * 1024;

export async function startEtcdGrpcServer(options: EtcdGrpcServerOptions): Promise<EtcdGrpcServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpcJs = require('@grpc/grpc-js') as typeof grpc;
  const services = loadEtcdServices(grpcJs);
  const clusterId = options.clusterId ?? 0xcdf818194e3a8c32;
  const memberId = options.memberId ?? 0x8e9e05c52164694d;
  const header = (revision: number): ResponseHeader => ({ cluster_id: clusterId, member_id: memberId, revision, raft_term: 2 });
  const store = new MvccStore(header);
  const lessor = new Lessor(store, options.nowMs);
  const current = (): ResponseHeader => header(store.currentRevision);

  const unary = <Req, Res>(fn: (req: Req) => Res): grpc.handleUnaryCall<Req, Res> => (call, callback) => {
    try {
      callback(null, fn(call.request));
    } catch (err) {
      callback(toServiceError(err));
    }
  };

  const server = new grpcJs.Server({ 'grpc.max_receive_message_length': options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES });
  server.addService(services.KV.service, {
    Range: unary((req: RangeRequest) => ({ header: current(), ...store.range(req) })),
    Put: unary((req: PutRequest) => {
      const { prevKv, revision } = store.put(req);
      return { header: header(revision), prev_kv: prevKv };
    }),
    DeleteRange: unary((req: DeleteRangeRequest) => {
      const { deleted, prevKvs, revision } = store.deleteRange(req);
      return { header: header(revision), deleted, prev_kvs: prevKvs };
    }),
    Txn: unary((req: TxnRequest) => {
      const { succeeded, responses, revision } = store.txn(req);
      return { header: header(revision), succeeded, responses };
    }),
    Compact: unary((req: CompactionRequest) => {
      store.compact(req.revision);
      return { header: current() };
    }),
  });

  const progressTimers = new Set<NodeJS.Timeout>();
  server.addService(services.Watch.service, {
    Watch: (call: grpc.ServerDuplexStream<WatchRequest, WatchResponse>) => {
      const stream = new WatchStream(store, header, (response) => void call.write(response));
      const timer = setInterval(() => stream.notifyProgress(), WATCH_PROGRESS_NOTIFY_INTERVAL_MS).unref();
      progressTimers.add(timer);
      const end = (): void => {
        clearInterval(timer);
        progressTimers.delete(timer);
        stream.close();
      };
      call.on('data', (req: WatchRequest) => {
        if (req.create_request) stream.create(req.create_request);
        else if (req.cancel_request) stream.cancel(req.cancel_request.watch_id);
        else if (req.progress_request) stream.progress();
      });
      call.on('end', () => {
        end();
        call.end();
      });
      call.on('error', end);
      call.on('cancelled', end);
    },
  });

  server.addService(services.Lease.service, {
    LeaseGrant: unary((req: LeaseGrantRequest) => {
      const { id, ttl } = lessor.grant(req.TTL, req.ID ?? 0);
      return { header: current(), ID: id, TTL: ttl, error: '' };
    }),
    LeaseRevoke: unary((req: { ID: number }) => {
      lessor.revoke(req.ID);
      return { header: current() };
    }),
    LeaseKeepAlive: (call: grpc.ServerDuplexStream<{ ID: number }, unknown>) => {
      call.on('data', (req: { ID: number }) => {
        // An unknown lease answers TTL 0 rather than an error (v3rpc/lease.go leaseKeepAlive).
        let ttl = 0;
        try {
          ttl = lessor.keepAlive(req.ID);
        } catch (err) {
          if (!(err instanceof EtcdError)) throw err;
        }
        call.write({ header: current(), ID: req.ID, TTL: ttl });
      });
      call.on('end', () => call.end());
    },
    LeaseTimeToLive: unary((req: { ID: number; keys?: boolean }) => {
      const t = lessor.timeToLive(req.ID);
      return { header: current(), ID: req.ID, TTL: t.ttl, grantedTTL: t.grantedTtl, keys: req.keys ? t.keys.map((k) => Buffer.from(k, 'latin1')) : [] };
    }),
  });

  server.addService(services.Maintenance.service, {
    Status: unary(() => ({
      header: current(),
      version: ETCD_SIM_VERSION,
      dbSize: 0,
      leader: memberId,
      raftIndex: store.currentRevision,
      raftTerm: 2,
      raftAppliedIndex: store.currentRevision,
      errors: [],
      dbSizeInUse: 0,
      isLearner: false,
      storageVersion: '3.6.0',
      dbSizeQuota: 2 * 1024 * 1024 * 1024,
    })),
  });

  const leaseTimer = setInterval(() => lessor.expire(), LEASE_CHECK_PERIOD_MS).unref();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.listen, grpcJs.ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
  });
  const address = options.listen.startsWith('unix:') ? options.listen : `${options.listen.replace(/:\d+$/, '')}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    address,
    store,
    lessor,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        clearInterval(leaseTimer);
        for (const t of progressTimers) clearInterval(t);
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000).unref();
      })),
  };
}

/** One normaliser for handler errors: etcd's own errors keep their code and message, anything else is UNKNOWN. */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof EtcdError) return { code: err.code, details: err.message, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 2, details: message, message };
}
