/**
 * What the single-node demo and the fleet demo (./fleet-demo.ts) share: reading and rewriting the
 * KubeletConfiguration, waiting for a socket, free ports, reporting a child's failure, and the demo's voice.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXIT_CODE } from '../../cli-kit/src';
import { ListenError, OutputFileError, startTraceSink } from '../../trace-sink/src';
import type { TraceSink } from '../../trace-sink/src';
import type { RunningProcess } from './child-process-runner';
import type { DemoArgs } from './demo-args';

/** A child's failure on screen: what it exited with, and its own last lines (without the usage hint). */
export function reportFailure(child: RunningProcess, exit: number | string, when: string, logPath: string): void {
  const lines = child.outputTail().filter((l) => l.trim() !== '' && !/^Run '.*--help' for usage\.$/.test(l));
  process.stderr.write(`node-demo: ${child.name} exited with ${exit} ${when}:\n${lines.slice(-5).map((l) => `  ${l}`).join('\n')}\n(full log: ${logPath})\n`);
}

/** Reads --config before anything starts, so a missing or broken file is one line naming the flag. */
export function readKubeletConfig(configPath: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    throw new Error(`--config ${configPath}: ${why}; give a KubeletConfiguration file such as configs/kubelet-config.yaml`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`--config ${configPath}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`--config ${configPath}: not a KubeletConfiguration (expected a YAML mapping with kind: KubeletConfiguration)`);
  }
  return doc as Record<string, unknown>;
}

/**
 * The demo's KubeletConfiguration: the user's file with the tracing endpoint set to our receiver, staticPodPath made
 * absolute and podLogsDir in the work dir; `overrides` replace staticPodPath and the sampling rate.
 */
export function writeDemoKubeletConfig(
  source: Record<string, unknown>,
  configPath: string,
  workDir: string,
  sinkAddress: string,
  overrides: { staticPodPath?: string; samplingRatePerMillion?: number } = {},
): string {
  const doc = { ...source };
  const tracing = (doc.tracing ?? {}) as Record<string, unknown>;
  doc.tracing = { ...tracing, endpoint: sinkAddress, ...(overrides.samplingRatePerMillion === undefined ? {} : { samplingRatePerMillion: overrides.samplingRatePerMillion }) };
  if (typeof doc.staticPodPath === 'string') doc.staticPodPath = resolve(resolve(configPath, '..'), doc.staticPodPath);
  if (overrides.staticPodPath !== undefined) doc.staticPodPath = overrides.staticPodPath;
  // Container logs go where the kubelet says (podLogsDir); keep them in the demo's temp dir, never the host's /var/log/pods.
  doc.podLogsDir = join(workDir, 'pod-logs');
  const out = join(workDir, 'kubelet-config.yaml');
  writeFileSync(out, stringify(doc));
  return out;
}

/** True once `path` exists; false at `untilMs`. */
export async function waitForFile(path: string, untilMs: number): Promise<boolean> {
  while (!existsSync(path)) {
    if (Date.now() >= untilMs) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** A port nothing listens on right now (bound and released at once). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

export function say(line: string): void {
  process.stderr.write(`node-demo: ${line}\n`);
}

/**
 * What both demos (one node, a fleet) open before starting anything: the KubeletConfiguration to copy and the
 * embedded receiver. On a failure the message is written and the exit code returned instead.
 */
export async function openDemoInputs(args: DemoArgs): Promise<{ kubeletConfig: Record<string, unknown>; sink: TraceSink } | { exitCode: number }> {
  let kubeletConfig: Record<string, unknown>;
  try {
    kubeletConfig = readKubeletConfig(args.config);
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    return { exitCode: EXIT_CODE.BAD_USAGE };
  }
  try {
    const sink = await startTraceSink({ listen: args.listen, httpListen: args.httpListen, outPath: resolve(args.out), listenFlag: '--listen', httpListenFlag: '--http-listen', outFlag: '--out' });
    return { kubeletConfig, sink };
  } catch (err) {
    if (err instanceof ListenError || err instanceof OutputFileError) {
      process.stderr.write(`${err.message}\n(when run as npm start, flags go after --: npm start -- --listen 127.0.0.1:14317)\n`);
      return { exitCode: EXIT_CODE.FAILURE };
    }
    throw err;
  }
}
