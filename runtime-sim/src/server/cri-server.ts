/**
 * The runtime-sim gRPC server: RuntimeService and ImageService on a unix socket, backed by one
 * RuntimeState.
 *
 * IMPORTANT: @grpc/grpc-js is required inside startCriServer, never at module load, so the
 * process entry point can register the OpenTelemetry gRPC instrumentation (which patches grpc-js
 * when it is first required) before anything loads it. Only `import type` refers to grpc-js here.
 */
import * as fs from 'node:fs';
import type * as grpcJs from '@grpc/grpc-js';
import { imageServiceDefinition, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import { processLoopTurns } from '../../../cri-proto/src/transport/loop-turns';
import { createCallDecider, createContainerBehaviourSource } from '../model/call-decider';
import type { RuntimeModel } from '../model/runtime-model-types';
import { loadPersonaVersion } from '../personas/persona-catalog';
import type { PersonaVersionSpec } from '../personas/persona-version-spec';
import { unknownRpcHandlers } from '../personas/unknown-rpc-handlers';
import { createCriCallTracing } from '../tracing/cri-call-tracing';
import type { Clock } from '../state/clock';
import type { Persona } from '../state/persona';
import { RuntimeState, type RuntimeStateOptions } from '../state/runtime-state';
import { ContainerEventHub } from '../state/container-events';
import { loadStateSnapshot, StateStore } from '../state/state-store';
import { createSimulatedStreamRuntime } from '../streaming/simulated-stream-runtime';
import { StreamServer } from '../streaming/stream-server';
import { claimSocketPath } from './claim-socket-path';
import { openFrontDoor, type FrontDoorCounts } from './cri-front-door';
import { startDueExitTimer } from './due-exit-timer';
import { createStreamingHandlers } from './streaming-handlers';
import type { HandlerOptions } from './handler-kit';
import { createImageServiceHandlers } from './image-service-handlers';
import { createRuntimeServiceHandlers } from './runtime-service-handlers';

export { SocketInUseError, UNIX_SOCKET_PATH_MAX_BYTES } from './claim-socket-path';

/** How long close() lets in-flight calls finish before cancelling them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000;

export interface CriServerOptions {
  /** Where to listen: `unix:///absolute/path.sock`. */
  readonly listen: string;
  /** Stream server address (loopback) and port (0 = any free one). Default 127.0.0.1:0. */
  readonly stream?: { readonly host?: string; readonly port?: number };
  /** Keep the records in this directory across restarts (--state-dir). Default: memory only. */
  readonly stateDir?: string;
  /** Called when saving to `stateDir` fails (the server keeps running and retries on the next change). */
  readonly onStateError?: (err: Error) => void;
  /** CRI-O `enable_pod_events` (default false); containerd always sends events. */
  readonly enablePodEvents?: boolean;
  readonly persona: Persona;
  /** Version.runtime_version. Default: the persona version's (`spec.runtimeVersion`). */
  readonly personaVersion?: string;
  /** Persona version data (../personas/). Default: the persona's default version. */
  readonly spec?: PersonaVersionSpec;
  /** The runtime's clock. Default: the system clock. */
  readonly clock?: Clock;
  /** Seed for ids and simulated image facts. Default 1. */
  readonly seed?: number;
  /** Simulated processing time per call in milliseconds, by RPC name. Default 0. */
  readonly latency?: (method: string) => number;
  /** How handlers wait (latency, stop grace periods). Default: setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Grace for in-flight calls on close(). Default DEFAULT_SHUTDOWN_TIMEOUT_MS. */
  readonly shutdownTimeoutMs?: number;
  /** Further state options (preloaded images, runtime handlers, unpullable images). */
  readonly state?: Omit<RuntimeStateOptions, 'persona' | 'clock' | 'seed'>;
  /** Where the server says what it refused or rewrote on the CRI socket. Default: stderr, prefixed `runtime-sim: `. */
  readonly onNotice?: (line: string) => void;
  /** Latency/fault model (`--model`, ../model/load-runtime-model.ts), drawing from `seed`. Default: none (no delays). */
  readonly model?: RuntimeModel;
  /**
   * gRPC server interceptors, given grpc-js once it is loaded (e.g. the node scope of one of many runtimes in
   * a `--nodes N` process, cri-proto node-scope-server-interceptor.ts). Default: none.
   */
  readonly interceptors?: (grpc: typeof grpcJs) => grpcJs.ServerInterceptor[];
}

export interface CriServer {
  readonly state: RuntimeState;
  /** The Exec/Attach/PortForward URL server (loopback HTTP). */
  readonly streamServer: StreamServer;
  /** GetContainerEvents' source. */
  readonly events: ContainerEventHub;
  /** Set with `stateDir`: where the records are saved. */
  readonly stateStore?: StateStore;
  /** The listen address as given. */
  readonly listen: string;
  readonly socketPath: string;
  /** CRI connections so far, by the path the front door gave them (./cri-front-door.ts). */
  connectionCounts(): FrontDoorCounts;
  /** Stops serving (tryShutdown, then forceShutdown after the timeout) and removes the socket file. Idempotent. */
  close(): Promise<void>;
}

/** Absolute socket path of a `unix:///...` address; throws a message naming the expected form. */
export function socketPathOf(listen: string): string {
  const prefix = 'unix://';
  const socketPath = listen.startsWith(prefix) ? listen.slice(prefix.length) : '';
  if (!socketPath.startsWith('/')) {
    throw new Error(`invalid listen address ${JSON.stringify(listen)}: expected unix:///absolute/path.sock`);
  }
  return socketPath;
}

/** Identity of the socket file this server bound, so close() never removes another server's socket. */
function socketIdentity(socketPath: string): string | undefined {
  try {
    const st = fs.lstatSync(socketPath);
    return st.isSocket() ? `${st.dev}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function removeSocketFile(socketPath: string, identity: string | undefined): void {
  if (identity === undefined || socketIdentity(socketPath) !== identity) return;
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // already gone
  }
}

/** Runs `afterCall` once each unary call has answered (grpc-js handlers keyed by RPC name). */
function withAfterCall(
  handlers: grpcJs.UntypedServiceImplementation,
  definition: Readonly<Record<string, { requestStream: boolean; responseStream: boolean }>>,
  afterCall: () => void,
): grpcJs.UntypedServiceImplementation {
  const wrapped: grpcJs.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const shape = definition[name];
    if (shape === undefined || shape.requestStream || shape.responseStream) {
      wrapped[name] = handler;
      continue;
    }
    const unary = handler as grpcJs.handleUnaryCall<unknown, unknown>;
    wrapped[name] = ((call: grpcJs.ServerUnaryCall<unknown, unknown>, callback: grpcJs.sendUnaryData<unknown>) =>
      unary(call, (...args: Parameters<grpcJs.sendUnaryData<unknown>>) => {
        try {
          afterCall();
        } finally {
          callback(...args);
        }
      })) as grpcJs.UntypedHandleCall;
  }
  return wrapped;
}

export async function startCriServer(options: CriServerOptions): Promise<CriServer> {
  const socketPath = socketPathOf(options.listen);
  // Refuses a socket another process answers on (SocketInUseError); removes a stale one.
  await claimSocketPath(socketPath);

  // A state file that cannot be used stops the start (StateFileError) before anything listens.
  const restored = options.stateDir === undefined ? undefined : loadStateSnapshot(options.stateDir, options.persona);
  const state = new RuntimeState({
    ...(options.state ?? {}),
    ...(restored === undefined ? {} : { restore: restored }),
    persona: options.persona,
    clock: options.clock,
    seed: options.seed,
    ...(options.model === undefined ? {} : { containerBehaviour: createContainerBehaviourSource(options.model) }),
  });
  const spec = options.spec ?? loadPersonaVersion(options.persona);
  const handlerOptions: HandlerOptions = {
    personaVersion: options.personaVersion ?? spec.runtimeVersion,
    tracing: createCriCallTracing(spec, state),
    latency: options.latency,
    sleep: options.sleep,
    model: options.model === undefined ? undefined : createCallDecider(options.model, { state, seed: options.seed }),
    // Requests read together take turns on the loop, so each answer is written before the next call runs.
    turns: processLoopTurns,
  };

  const events = new ContainerEventHub(state, {
    persona: options.persona,
    enabled: options.enablePodEvents,
    nowMs: () => Number(state.nowNs() / 1_000_000n),
  });
  const streamServer = await StreamServer.start({
    runtime: createSimulatedStreamRuntime(state),
    host: options.stream?.host,
    port: options.stream?.port,
  });
  const exitTimer = startDueExitTimer(state);
  const stateStore =
    options.stateDir === undefined
      ? undefined
      : new StateStore({ dir: options.stateDir, snapshot: () => state.exportSnapshot(), onError: options.onStateError });
  const unsubscribeStore = stateStore === undefined ? () => undefined : state.onTransition(() => stateStore.markDirty());
  stateStore?.flush();
  /** After every call: wake for the next due exit, save changed records. */
  const afterCall = (): void => {
    exitTimer.reschedule();
    stateStore?.markDirty();
  };
  const stopExtras = async (): Promise<void> => {
    events.close();
    exitTimer.stop();
    await streamServer.close();
    unsubscribeStore();
  };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require('@grpc/grpc-js') as typeof grpcJs;
  const server = new grpc.Server(options.interceptors === undefined ? undefined : { interceptors: options.interceptors(grpc) });
  server.addService(
    runtimeServiceDefinition() as unknown as grpcJs.ServiceDefinition,
    withAfterCall(
      {
        ...createRuntimeServiceHandlers(state, handlerOptions),
        ...createStreamingHandlers({ state, stream: streamServer, events, options: handlerOptions }),
        ...unknownRpcHandlers(spec, 'runtime.v1.RuntimeService', runtimeServiceDefinition() as never),
      } as grpcJs.UntypedServiceImplementation,
      runtimeServiceDefinition() as never,
      afterCall,
    ),
  );
  server.addService(
    imageServiceDefinition() as unknown as grpcJs.ServiceDefinition,
    withAfterCall(
      { ...createImageServiceHandlers(state, handlerOptions), ...unknownRpcHandlers(spec, 'runtime.v1.ImageService', imageServiceDefinition() as never) } as grpcJs.UntypedServiceImplementation,
      imageServiceDefinition() as never,
      afterCall,
    ),
  );

  // runtime-sim owns the listener (./cri-front-door.ts) so clients that send the socket path as
  // :authority are served too; grpc-js gets each connection through its injector.
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const notice = options.onNotice ?? ((line: string) => void process.stderr.write(`runtime-sim: ${line}\n`));
  const frontDoor = await openFrontDoor({ socketPath, inject: (connection) => injector.injectConnection(connection), notice }).catch(
    async (err: unknown) => {
      server.forceShutdown();
      await stopExtras();
      stateStore?.close();
      throw new Error(`cannot listen on ${options.listen}: ${(err as Error).message}`);
    },
  );

  const boundSocket = socketIdentity(socketPath);
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        removeSocketFile(socketPath, boundSocket);
        // Last, so the saved copy has every change the finished calls made.
        stateStore?.close();
        resolve();
      };
      const timer = setTimeout(() => {
        frontDoor.stopAccepting();
        server.forceShutdown();
        frontDoor.destroyConnections();
        finish();
      }, shutdownTimeoutMs);
      // Event streams end first: tryShutdown waits for every open call.
      void stopExtras().then(() => {
        frontDoor.stopAccepting();
        server.tryShutdown(() => finish());
      });
    });
    return closing;
  };

  return { state, streamServer, events, stateStore, listen: options.listen, socketPath, connectionCounts: () => frontDoor.counts(), close };
}
