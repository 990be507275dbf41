/**
 * Loader for our etcd v3 proto text (../proto). Like cri-proto's loader it never imports @grpc/grpc-js at
 * top level: the caller passes the grpc module after the OpenTelemetry gRPC instrumentation is registered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';

const PROTO_ROOT_RELATIVE = path.join('control-plane', 'etcd-proto', 'proto');
const RPC_PROTO = path.join('etcd', 'api', 'etcdserverpb', 'rpc.proto');

/** Options that make messages match etcd-types.ts (snake_case and upstream field names, int64 as numbers). */
const LOAD_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  oneofs: true,
};

export interface EtcdServices {
  KV: grpc.ServiceClientConstructor;
  Watch: grpc.ServiceClientConstructor;
  Lease: grpc.ServiceClientConstructor;
  Maintenance: grpc.ServiceClientConstructor;
}

/** Directory holding `etcd/api/...` (walks up from this file, so it works from src/ and dist/). */
export function etcdProtoRoot(startDir: string = __dirname): string {
  let dir = startDir;
  for (;;) {
    const candidate = path.join(dir, PROTO_ROOT_RELATIVE);
    if (fs.existsSync(path.join(candidate, RPC_PROTO))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${path.join(PROTO_ROOT_RELATIVE, RPC_PROTO)} in ${startDir} or any parent directory`);
    dir = parent;
  }
}

/** The etcdserverpb service constructors, bound to the given (instrumented) grpc-js module. */
export function loadEtcdServices(grpcJs: typeof grpc): EtcdServices {
  const loader = require('@grpc/proto-loader') as typeof protoLoader;
  const root = etcdProtoRoot();
  const definition = loader.loadSync(path.join(root, RPC_PROTO), { ...LOAD_OPTIONS, includeDirs: [root] });
  const pkg = grpcJs.loadPackageDefinition(definition) as unknown as { etcdserverpb: EtcdServices };
  return pkg.etcdserverpb;
}
