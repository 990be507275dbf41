import yargs from 'yargs';
import { attachNegativeValues, repeatedFlagMessage } from '../../../../cli-kit/src';
import type { EtcdTracingFlags } from '../tracing/etcd-tracing';
import { ETCD_TRACING_DEFAULTS, validateEtcdTracing } from '../tracing/etcd-tracing';

export class FlagError extends Error {}

export interface EtcdSimArgs extends EtcdTracingFlags {
  /** gRPC listen target: `unix:///path` or `127.0.0.1:<port>` (from --listen-client-urls). */
  listen: string;
}

/** etcd's default client URL (server/embed/config.go DefaultListenClientURLs). */
export const DEFAULT_LISTEN_CLIENT_URLS = 'http://localhost:2379';

/**
 * etcd-sim's flags, named as etcd 3.6's (server/etcdmain/config.go): --listen-client-urls (one loopback
 * http:// URL or a unix:// socket path) and the distributed tracing flags, which also take their deprecated
 * --experimental- names as etcd 3.6 still does.
 */
export function parseEtcdSimArgs(argv: readonly string[]): EtcdSimArgs {
  const parsed = yargs(attachNegativeValues(argv))
    .scriptName('etcd-sim')
    .usage('etcd-sim: an in-memory etcd v3 gRPC server (KV, Watch, Lease) traced as etcd 3.6 traces its server side')
    .option('listen-client-urls', { type: 'string', default: DEFAULT_LISTEN_CLIENT_URLS, describe: 'http://127.0.0.1:<port> (port 0: a free one) or unix:///path' })
    .option('enable-distributed-tracing', { type: 'boolean', default: false, alias: 'experimental-enable-distributed-tracing' })
    .option('distributed-tracing-address', { type: 'string', default: ETCD_TRACING_DEFAULTS.address, alias: 'experimental-distributed-tracing-address' })
    .option('distributed-tracing-service-name', { type: 'string', default: ETCD_TRACING_DEFAULTS.serviceName, alias: 'experimental-distributed-tracing-service-name' })
    .option('distributed-tracing-instance-id', { type: 'string', default: '', alias: 'experimental-distributed-tracing-instance-id' })
    .option('distributed-tracing-sampling-rate', { type: 'number', default: ETCD_TRACING_DEFAULTS.samplingRatePerMillion, alias: 'experimental-distributed-tracing-sampling-rate', describe: 'samples per million, 0-1000000' })
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw new FlagError(err?.message ?? msg);
    })
    .help()
    .parseSync();
  const repeated = repeatedFlagMessage(parsed as Record<string, unknown>);
  if (repeated) throw new FlagError(repeated);
  const rate = parsed['distributed-tracing-sampling-rate'];
  if (!Number.isInteger(rate)) throw new FlagError(`--distributed-tracing-sampling-rate: ${rate} is not an integer: give samples per million, 0-1000000`);
  const rateError = validateEtcdTracing(rate);
  if (rateError) throw new FlagError(`--distributed-tracing-sampling-rate: ${rateError}`);
  return {
    listen: grpcTargetOfClientUrl(parsed['listen-client-urls']),
    enableDistributedTracing: parsed['enable-distributed-tracing'],
    distributedTracingAddress: parsed['distributed-tracing-address'],
    distributedTracingServiceName: parsed['distributed-tracing-service-name'],
    distributedTracingInstanceId: parsed['distributed-tracing-instance-id'],
    distributedTracingSamplingRate: rate,
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `http://127.0.0.1:2379` → `127.0.0.1:2379`; `unix:///p` kept. Only loopback hosts and unix sockets are served. */
export function grpcTargetOfClientUrl(url: string): string {
  if (url.includes(',')) throw new FlagError(`--listen-client-urls: ${JSON.stringify(url)}: etcd-sim serves one URL; give a single http://127.0.0.1:<port> or unix:///path`);
  if (url.startsWith('unix://')) {
    if (!url.startsWith('unix:///')) throw new FlagError(`--listen-client-urls: ${JSON.stringify(url)}: give an absolute socket path, unix:///path/to/etcd.sock`);
    return url;
  }
  const match = /^http:\/\/([^/]+):(\d+)\/?$/.exec(url);
  if (!match) throw new FlagError(`--listen-client-urls: ${JSON.stringify(url)}: expected http://127.0.0.1:<port> or unix:///path (https is not served)`);
  const host = match[1] as string;
  if (!LOOPBACK_HOSTS.has(host)) throw new FlagError(`--listen-client-urls: ${JSON.stringify(url)}: etcd-sim listens on loopback only; use 127.0.0.1`);
  return `${host === 'localhost' ? '127.0.0.1' : host}:${match[2]}`;
}
