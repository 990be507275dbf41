import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTraceSink } from '../../trace-sink/src';
import { freePort } from './free-port';
import type { TraceSink } from '../../trace-sink/src';

const ETCD_SIM = path.join(__dirname, '..', '..', 'control-plane', 'etcd-sim', 'src', 'main.js');
const APISERVER_SIM = path.join(__dirname, '..', '..', 'control-plane', 'apiserver-sim', 'src', 'main.js');

export interface ControlPlaneOptions {
  /** apiserver TracingConfiguration samplingRatePerMillion (default 1000000). */
  apiserverSamplingRatePerMillion?: number;
  /** etcd --distributed-tracing-sampling-rate (default 0: follow the apiserver's decision). */
  etcdSamplingRatePerMillion?: number;
  /** A token mapped to a system:masters user (--super-admin-token). */
  superAdminToken?: string;
  /** Run the real `etcd` binary on PATH (e.g. Debian's etcd-server) instead of etcd-sim. */
  realEtcd?: boolean;
  /** Also a second apiserver-sim on the same etcd with --trace-kubelet-proxy (the opt-in one-trace view). */
  tracedProxyApiserver?: boolean;
}

export interface ControlPlaneRun {
  sink: TraceSink;
  /** http://127.0.0.1:<port> of apiserver-sim. */
  apiserverUrl: string;
  /** The second apiserver-sim's URL, with --trace-kubelet-proxy (options.tracedProxyApiserver). */
  tracedProxyApiserverUrl?: string;
  adminToken: string;
  kubeconfig: string;
  dir: string;
  /** Stops both processes (they flush their spans), then the sink; removes the temp directory. Idempotent. */
  stop(): Promise<void>;
}

/** Waits for a stderr line matching `pattern`; rejects if the process exits first or after `timeoutMs`. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no line matching ${pattern} within ${timeoutMs} ms; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.resume(); // keep draining what follows
        resolve(match);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready; output:\n${seen}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts trace-sink (in this process), etcd-sim on a temp unix socket and apiserver-sim on a free loopback port. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlaneRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-'));
  const sink = await startTraceSink({ listen: '127.0.0.1:0' });
  const children: ChildProcess[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      for (const child of [...children].reverse()) await stopChild(child);
      await sink.close();
      fs.rmSync(dir, { recursive: true, force: true });
    })());
  try {
    let etcdServers = `unix://${path.join(dir, 'etcd.sock')}`;
    if (options.realEtcd) {
      const client = `http://127.0.0.1:${await freePort()}`;
      const peer = `http://127.0.0.1:${await freePort()}`;
      const etcd = spawn('etcd', [
        '--data-dir', path.join(dir, 'etcd-data'),
        '--name', 'sim',
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `sim=${peer}`,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(etcd);
      await waitForLine(etcd, /ready to serve client requests/, 'etcd');
      etcdServers = client;
    } else {
      const etcd = spawn(process.execPath, [
        ETCD_SIM,
        '--listen-client-urls', etcdServers,
        '--enable-distributed-tracing',
        '--distributed-tracing-address', sink.address,
        '--distributed-tracing-sampling-rate', String(options.etcdSamplingRatePerMillion ?? 0),
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(etcd);
      await waitForLine(etcd, /serving client traffic insecurely/, 'etcd-sim');
    }

    const tracingConfig = path.join(dir, 'tracing.yaml');
    fs.writeFileSync(tracingConfig, [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: TracingConfiguration',
      `endpoint: ${sink.address}`,
      `samplingRatePerMillion: ${options.apiserverSamplingRatePerMillion ?? 1_000_000}`,
      '',
    ].join('\n'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const adminToken = 'admin-token-for-tests';
    const startApiserver = async (extra: string[]): Promise<string> => {
      const apiserver = spawn(process.execPath, [
        APISERVER_SIM,
        '--listen', '127.0.0.1:0',
        '--etcd-servers', etcdServers,
        '--tracing-config-file', tracingConfig,
        '--admin-token', adminToken,
        ...(options.superAdminToken ? ['--super-admin-token', options.superAdminToken] : []),
        ...extra,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(apiserver);
      return (await waitForLine(apiserver, /serving on (http:\/\/127\.0\.0\.1:\d+) /, 'apiserver-sim'))[1] as string;
    };
    const apiserverUrl = await startApiserver(['--kubeconfig-out', kubeconfig]);
    const tracedProxyApiserverUrl = options.tracedProxyApiserver ? await startApiserver(['--trace-kubelet-proxy']) : undefined;
    return { sink, apiserverUrl, tracedProxyApiserverUrl, adminToken, kubeconfig, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
