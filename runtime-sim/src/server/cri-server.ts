/**
 * The runtime-sim gRPC server: RuntimeService and ImageService on a unix socket, backed by one
 * RuntimeState.
 *
 * IMPORTANT: @grpc/grpc-js is required inside startCriServer, never at module load, so the
 * process entry point can register the OpenTelemetry gRPC instrumentation (which patches grpc-js
 * when it is first required) before anything loads it. Only `import type` refers to grpc-js here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as grpcJs from '@grpc/grpc-js';
import { imageServiceDefinition, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import type { Clock } from '../state/clock';
import type { Persona } from '../state/persona';
import { RuntimeState, type RuntimeStateOptions } from '../state/runtime-state';
import type { HandlerOptions } from './handler-kit';
import { createImageServiceHandlers } from './image-service-handlers';
import { createRuntimeServiceHandlers } from './runtime-service-handlers';

/** How long close() lets in-flight calls finish before cancelling them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000;

/** Longest unix socket path Linux accepts (sizeof(sun_path) - 1). */
export const UNIX_SOCKET_PATH_MAX_BYTES = 107;

export interface CriServerOptions {
  /** Where to listen: `unix:///absolute/path.sock`. */
  readonly listen: string;
  readonly persona: Persona;
  /** Version.runtime_version. Default: CRI-O "1.33.0", containerd "v2.1.0". */
  readonly personaVersion?: string;
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
}

export interface CriServer {
  readonly state: RuntimeState;
  /** The listen address as given. */
  readonly listen: string;
  readonly socketPath: string;
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

/** Checks the directory and clears a stale socket left by a previous run. */
function prepareSocketPath(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > UNIX_SOCKET_PATH_MAX_BYTES) {
    throw new Error(
      `socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes; unix socket paths are limited to ${UNIX_SOCKET_PATH_MAX_BYTES}`,
    );
  }
  const dir = path.dirname(socketPath);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    throw new Error(`directory ${dir} for socket ${socketPath} does not exist; create it first`);
  }
  if (!dirStat.isDirectory()) throw new Error(`${dir} (parent of socket ${socketPath}) is not a directory`);
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(socketPath);
  } catch {
    existing = undefined;
  }
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  }
  fs.unlinkSync(socketPath);
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

export async function startCriServer(options: CriServerOptions): Promise<CriServer> {
  const socketPath = socketPathOf(options.listen);
  prepareSocketPath(socketPath);

  const state = new RuntimeState({
    ...(options.state ?? {}),
    persona: options.persona,
    clock: options.clock,
    seed: options.seed,
  });
  const handlerOptions: HandlerOptions = {
    personaVersion: options.personaVersion,
    latency: options.latency,
    sleep: options.sleep,
  };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require('@grpc/grpc-js') as typeof grpcJs;
  const server = new grpc.Server();
  server.addService(
    runtimeServiceDefinition() as unknown as grpcJs.ServiceDefinition,
    createRuntimeServiceHandlers(state, handlerOptions),
  );
  server.addService(
    imageServiceDefinition() as unknown as grpcJs.ServiceDefinition,
    createImageServiceHandlers(state, handlerOptions),
  );

  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => {
      if (err) reject(new Error(`cannot bind ${options.listen}: ${err.message}`));
      else resolve();
    });
  });

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
        resolve();
      };
      const timer = setTimeout(() => {
        server.forceShutdown();
        finish();
      }, shutdownTimeoutMs);
      server.tryShutdown(() => finish());
    });
    return closing;
  };

  return { state, listen: options.listen, socketPath, close };
}
