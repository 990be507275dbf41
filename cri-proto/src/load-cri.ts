/**
 * Loader for the CRI v1 proto (cri-proto/proto/api.proto).
 *
 * IMPORTANT: this module never imports `@grpc/grpc-js` at top level. grpc-js (and
 * proto-loader) are `require`d lazily inside the functions below, or a grpc module can be
 * passed in explicitly, so that callers can register OpenTelemetry's grpc instrumentation
 * (which hooks `require('@grpc/grpc-js')`) before grpc-js is first loaded. Only `import type`
 * is used for grpc-js / proto-loader here.
 *
 * Note on caching: `loadCriPackage()` caches the client constructors per grpc module. The
 * OpenTelemetry instrumentation patches `loadPackageDefinition`, so call these functions
 * only after instrumentation has been registered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/api';
import { goWireShaper } from './go-wire';
import { recordWireSize } from './wire-sizes';
import { DecodedReuse } from './message-reuse';
import type { ImageServiceClient, ImageServiceDefinition } from './generated/runtime/v1/ImageService';
import type { RuntimeServiceClient, RuntimeServiceDefinition } from './generated/runtime/v1/RuntimeService';

export type { ProtoGrpcType } from './generated/api';
export type {
  ImageServiceClient,
  ImageServiceDefinition,
  ImageServiceHandlers,
} from './generated/runtime/v1/ImageService';
export type {
  RuntimeServiceClient,
  RuntimeServiceDefinition,
  RuntimeServiceHandlers,
} from './generated/runtime/v1/RuntimeService';

/** The grpc-js module type (for callers that pass their own, possibly instrumented, instance). */
export type GrpcModule = typeof grpc;

/** Repo-relative location of the proto file. */
const PROTO_RELATIVE = path.join('cri-proto', 'proto', 'api.proto');

/** Environment variable that can point at an api.proto elsewhere (packaging escape hatch). */
export const CRI_PROTO_PATH_ENV = 'CRI_PROTO_PATH';

/**
 * Find api.proto by walking up from `startDir` until a directory containing
 * `cri-proto/proto/api.proto` is found. Works from source (`<repo>/cri-proto/src`) and
 * from the compiled output (`<repo>/dist/cri-proto/src`).
 */
export function resolveCriProtoPath(startDir: string = __dirname): string {
  const fromEnv = process.env[CRI_PROTO_PATH_ENV];
  if (fromEnv) {
    const abs = path.resolve(fromEnv);
    if (!fs.existsSync(abs)) {
      throw new Error(`${CRI_PROTO_PATH_ENV}=${fromEnv} does not exist`);
    }
    return abs;
  }
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, PROTO_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find ${PROTO_RELATIVE} in ${startDir} or any parent directory`);
}

/** Absolute path of cri-proto/proto/api.proto. */
export const CRI_PROTO_PATH: string = resolveCriProtoPath();

/**
 * proto-loader options; must stay consistent with the generated types
 * (`proto-loader-gen-types --longs=String --enums=String --defaults --oneofs --keepCase`).
 * Consequences: snake_case field names, int64/uint64 as decimal strings, enums as their
 * string names, missing scalars filled with defaults, bytes as Buffer.
 */
export const PROTO_LOADER_OPTIONS: Readonly<protoLoader.Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

let cachedPackageDefinition: protoLoader.PackageDefinition | undefined;
const cachedPackages = new Map<GrpcModule, ProtoGrpcType>();

/** Parsed package definition of the CRI proto (cached). Loads proto-loader, not grpc-js. */
export function loadCriPackageDefinition(): protoLoader.PackageDefinition {
  if (!cachedPackageDefinition) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loader = require('@grpc/proto-loader') as typeof protoLoader;
    cachedPackageDefinition = withGoWireSerializers(loader.loadSync(CRI_PROTO_PATH, { ...PROTO_LOADER_OPTIONS }));
  }
  return cachedPackageDefinition;
}

/**
 * Responses the kubelet asks for again and again with the same answer (PLEG relist, pkg/kubelet/pleg/
 * generic.go@v1.33.0): received bytes equal to earlier ones give back that earlier, frozen message
 * (./message-reuse.ts).
 */
const REUSED_RESPONSES: ReadonlySet<string> = new Set([
  '/runtime.v1.RuntimeService/ListPodSandbox',
  '/runtime.v1.RuntimeService/ListContainers',
]);

/**
 * Bytes written for a frozen message (a frozen message cannot change; ./message-reuse.ts), so a message sent
 * again is not encoded again.
 */
const encodedFrozen = new WeakMap<object, Buffer>();

function encodeOnce(value: unknown, encode: (value: unknown) => Buffer): Buffer {
  if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) return encode(value);
  let bytes = encodedFrozen.get(value);
  if (bytes === undefined) {
    bytes = encode(value);
    encodedFrozen.set(value, bytes);
  }
  return bytes;
}

/** Every method's serializers leave out what Go's proto.Marshal leaves out (./go-wire.ts), on both ends. */
function withGoWireSerializers(definition: protoLoader.PackageDefinition): protoLoader.PackageDefinition {
  for (const [serviceName, entry] of Object.entries(definition)) {
    if ((entry as { format?: string }).format !== undefined) continue; // a message, not a service
    const pkg = serviceName.slice(0, serviceName.lastIndexOf('.'));
    for (const method of Object.values(entry as protoLoader.ServiceDefinition)) {
      // Request and response messages of the CRI services are top-level messages of the service's package.
      const requestType = `${pkg}.${(method.requestType.type as { name: string }).name}`;
      const responseType = `${pkg}.${(method.responseType.type as { name: string }).name}`;
      const serializeRequest = method.requestSerialize;
      const serializeResponse = method.responseSerialize;
      // Resolved once here, not per call (and the reflection is loaded now, not during the first call).
      const goRequest = goWireShaper(CRI_PROTO_PATH, requestType);
      const goResponse = goWireShaper(CRI_PROTO_PATH, responseType);
      const deserializeRequest = method.requestDeserialize;
      const deserializeResponse = method.responseDeserialize;
      // Each message's wire size is noted for the otelgrpc message events (./wire-sizes.ts).
      const encodeResponse = (value: unknown): Buffer => serializeResponse(goResponse(value) as object);
      method.requestSerialize = (value) => sized(value, serializeRequest(goRequest(value) as object));
      method.responseSerialize = (value) => sized(value, encodeOnce(value, encodeResponse));
      method.requestDeserialize = (bytes) => read(deserializeRequest(bytes), bytes);
      // One per method: equal bytes are equal messages only of the same type (an empty list is 0 bytes for both).
      const decoded = REUSED_RESPONSES.has(method.path) ? new DecodedReuse() : undefined;
      method.responseDeserialize = decoded !== undefined
        ? (bytes) => read(decoded.decode(bytes, deserializeResponse), bytes)
        : (bytes) => read(deserializeResponse(bytes), bytes);
    }
  }
  return definition;
}

function sized(message: unknown, bytes: Buffer): Buffer {
  recordWireSize(message, bytes.length);
  return bytes;
}

function read<T>(message: T, bytes: Buffer): T {
  recordWireSize(message, bytes.length);
  return message;
}

/** Load `@grpc/grpc-js` lazily (at call time, so OTel instrumentation can hook it first). */
export function requireGrpc(): GrpcModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@grpc/grpc-js') as GrpcModule;
}

/**
 * The CRI package as a typed grpc object (`pkg.runtime.v1.RuntimeService` etc.), cached per
 * grpc module. Pass `grpcModule` to use a specific grpc-js instance; by default grpc-js is
 * required lazily here.
 */
export function loadCriPackage(grpcModule?: GrpcModule): ProtoGrpcType {
  const g = grpcModule ?? requireGrpc();
  let pkg = cachedPackages.get(g);
  if (!pkg) {
    pkg = g.loadPackageDefinition(loadCriPackageDefinition()) as unknown as ProtoGrpcType;
    cachedPackages.set(g, pkg);
  }
  return pkg;
}

/** ServiceDefinition of runtime.v1.RuntimeService (for `server.addService`). No grpc-js load. */
export function runtimeServiceDefinition(): RuntimeServiceDefinition {
  return loadCriPackageDefinition()['runtime.v1.RuntimeService'] as unknown as RuntimeServiceDefinition;
}

/** ServiceDefinition of runtime.v1.ImageService (for `server.addService`). No grpc-js load. */
export function imageServiceDefinition(): ImageServiceDefinition {
  return loadCriPackageDefinition()['runtime.v1.ImageService'] as unknown as ImageServiceDefinition;
}

/**
 * Turn a CRI endpoint into a grpc-js target. Accepts `unix:///run/x.sock`, `unix:/run/x.sock`,
 * a bare socket path (`/run/x.sock`, relative paths are resolved) or a `host:port` /
 * `dns:` target, which is returned unchanged.
 */
export function criEndpointToTarget(endpoint: string): string {
  if (endpoint.startsWith('unix:')) return endpoint;
  if (endpoint.startsWith('/') || endpoint.startsWith('.') || endpoint.endsWith('.sock')) {
    return `unix://${path.resolve(endpoint)}`;
  }
  return endpoint;
}

/** Options shared by the client constructors. */
export interface CriClientOptions {
  /** Channel credentials; default: insecure (CRI runs over a local unix socket). */
  credentials?: grpc.ChannelCredentials;
  /** grpc-js channel/client options. */
  channelOptions?: grpc.ClientOptions;
  /** grpc-js module to use; default: lazily required `@grpc/grpc-js`. */
  grpc?: GrpcModule;
}

/** Create a typed RuntimeService client for `endpoint` (see `criEndpointToTarget`). */
export function createRuntimeServiceClient(endpoint: string, options: CriClientOptions = {}): RuntimeServiceClient {
  const g = options.grpc ?? requireGrpc();
  const Ctor = loadCriPackage(g).runtime.v1.RuntimeService;
  return new Ctor(criEndpointToTarget(endpoint), options.credentials ?? g.credentials.createInsecure(), options.channelOptions);
}

/** Create a typed ImageService client for `endpoint` (see `criEndpointToTarget`). */
export function createImageServiceClient(endpoint: string, options: CriClientOptions = {}): ImageServiceClient {
  const g = options.grpc ?? requireGrpc();
  const Ctor = loadCriPackage(g).runtime.v1.ImageService;
  return new Ctor(criEndpointToTarget(endpoint), options.credentials ?? g.credentials.createInsecure(), options.channelOptions);
}
