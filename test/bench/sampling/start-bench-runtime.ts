/**
 * runtime-sim as the sampling benchmark starts it: the chosen persona on `--model fast`, one node or a fleet
 * (`--nodes N`, one socket per node from a `{node}` template), tracing configured the way the real runtime is
 * (node-demo/src/runtime-export-setup.ts) with the series' sampler (./bench-persona.ts), or untraced.
 */
import { join, resolve } from 'node:path';
import { startNodeProcess, type RunningProcess } from '../../../node-demo/src/child-process-runner';
import { runtimeExportSetup } from '../../../node-demo/src/runtime-export-setup';
import { waitForFile } from '../../helpers/wait-for-file';
import { containerdSamplerEnv, type BenchPersona } from './bench-persona';

/** The compiled tree this file runs from. */
const DIST = resolve(__dirname, '..', '..', '..');
const START_TIMEOUT_MS = 30_000;

export interface BenchRuntimeOptions {
  persona: BenchPersona;
  /** unix://… socket, or a template with `{node}` when `nodes` is given. */
  listen: string;
  /** The socket file to wait for (the last node's, for a fleet). */
  readySocket: string;
  workDir: string;
  logPath: string;
  /** undefined = untraced; else the collector (OTLP/gRPC host:port, and OTLP/HTTP host:port for containerd). */
  export?: { grpc: string; http: string | undefined; runtimeRate: number };
  nodes?: number;
}

export async function startBenchRuntime(o: BenchRuntimeOptions): Promise<RunningProcess> {
  let args: string[] = [];
  let env: NodeJS.ProcessEnv = untracedEnv();
  if (o.export !== undefined) {
    const setup = runtimeExportSetup(o.persona, undefined, o.export.grpc, o.workDir, o.export.runtimeRate, o.export.http);
    args = setup.args;
    env = setup.env;
    if (o.persona === 'containerd') {
      // The series' sampler, not one inherited from this shell.
      env = { ...setup.env, ...containerdSamplerEnv(o.export.runtimeRate) };
      if (o.export.runtimeRate !== 0) delete env.OTEL_TRACES_SAMPLER;
      delete env.OTEL_TRACES_SAMPLER_ARG;
    }
  }
  const runtime = startNodeProcess('runtime-sim', join(DIST, 'runtime-sim/src/main.js'), [
    '--persona', o.persona, '--listen', o.listen, '--model', 'fast', ...(o.nodes === undefined ? [] : ['--nodes', String(o.nodes)]), ...args,
  ], o.logPath, env);
  try {
    await Promise.race([
      waitForFile(o.readySocket, START_TIMEOUT_MS),
      runtime.exited.then((code) => Promise.reject(new Error(`runtime-sim exited (${code}) at start:\n${runtime.outputTail().join('\n')}`))),
    ]);
  } catch (err) {
    await runtime.stop(2_000);
    throw err;
  }
  return runtime;
}

/** This process's environment without the OTEL_* variables that would make containerd trace or pick a sampler. */
function untracedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
}
