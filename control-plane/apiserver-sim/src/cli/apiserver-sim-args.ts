import yargs from 'yargs';
import { attachNegativeValues, repeatedFlagMessage } from '../../../../cli-kit/src';
import type { UserInfo } from '../server/authentication';
import { SYSTEM_PRIVILEGED_GROUP } from '../server/authentication';

export class FlagError extends Error {}

/** Default emulated Kubernetes minor (the project's target, 1.34). */
export const DEFAULT_EMULATED_MINOR = 34;
/** kubeadm ≥1.29 puts admin.conf's user in this group, bound to cluster-admin, not in system:masters. */
export const KUBEADM_CLUSTER_ADMINS_GROUP = 'kubeadm:cluster-admins';

export interface ApiserverSimArgs {
  listen: string;
  etcdServers: string;
  tracingConfigFile: string | undefined;
  /** --feature-gates APIServerTracing=<bool>, if given. */
  apiServerTracingGate: boolean | undefined;
  minor: number;
  kubeconfigOut: string | undefined;
  /** token → user (the admin token, plus a system:masters one when --super-admin-token is given). */
  tokens: Map<string, UserInfo>;
  adminToken: string;
  /** --trace-kubelet-proxy: CLIENT spans to kubelets with injected context (kube-apiserver makes none). */
  traceKubeletProxy: boolean;
}

export function parseApiserverSimArgs(argv: readonly string[], newToken: () => string): ApiserverSimArgs {
  const parsed = yargs(attachNegativeValues(argv))
    .scriptName('apiserver-sim')
    .usage('apiserver-sim: a kube-apiserver subset (discovery, namespaces, pods, nodes, coordination.k8s.io leases) over etcd, traced as kube-apiserver traces')
    .option('listen', { type: 'string', default: '127.0.0.1:6443', describe: 'loopback host:port to serve the API on (port 0: a free one); plain HTTP' })
    .option('etcd-servers', { type: 'string', demandOption: true, describe: 'etcd-sim or etcd: http://127.0.0.1:2379 or unix:///path' })
    .option('tracing-config-file', { type: 'string', describe: 'TracingConfiguration (apiserver.config.k8s.io v1alpha1/v1beta1/v1)' })
    .option('feature-gates', { type: 'string', default: '', describe: 'only APIServerTracing=true|false is understood' })
    .option('emulated-version', { type: 'string', default: `1.${DEFAULT_EMULATED_MINOR}`, describe: 'Kubernetes version whose behaviour to emulate, 1.22-1.36' })
    .option('kubeconfig-out', { type: 'string', describe: 'write an admin kubeconfig for this server here' })
    .option('admin-token', { type: 'string', describe: 'bearer token of kubernetes-admin (group kubeadm:cluster-admins); default: random' })
    .option('super-admin-token', { type: 'string', describe: 'bearer token of a system:masters user (its traceparent is trusted)' })
    .option('trace-kubelet-proxy', { type: 'boolean', default: false, describe: 'NOT kube-apiserver\'s behaviour: trace requests to kubelets (logs, exec, attach, portforward) as otelhttp CLIENT spans and inject W3C context, so one trace runs from apiserver to runtime' })
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw new FlagError(err?.message ?? msg);
    })
    .help()
    .parseSync();
  const repeated = repeatedFlagMessage(parsed as Record<string, unknown>);
  if (repeated) throw new FlagError(repeated);
  const listen = parsed.listen;
  const lm = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d+)$/.exec(listen);
  if (!lm || Number(lm[2]) > 65535) throw new FlagError(`--listen: ${JSON.stringify(listen)}: give a loopback host:port such as 127.0.0.1:6443 (port 0 picks a free one)`);
  const vm = /^v?1\.(\d+)$/.exec(parsed['emulated-version']);
  const minor = vm ? Number(vm[1]) : NaN;
  if (!(minor >= 22 && minor <= 36)) throw new FlagError(`--emulated-version: ${JSON.stringify(parsed['emulated-version'])}: give a Kubernetes version 1.22 to 1.36, e.g. 1.34`);
  let gate: boolean | undefined;
  for (const pair of parsed['feature-gates'].split(',').filter((p) => p.trim() !== '')) {
    const [key, value] = pair.split('=').map((s) => s.trim());
    if (key !== 'APIServerTracing') throw new FlagError(`--feature-gates: unrecognized feature gate: ${key} (apiserver-sim understands APIServerTracing only)`);
    if (value !== 'true' && value !== 'false') throw new FlagError(`--feature-gates: invalid value of APIServerTracing=${value}, err: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
    gate = value === 'true';
  }
  const adminToken = parsed['admin-token'] ?? newToken();
  const tokens = new Map<string, UserInfo>([[adminToken, { name: 'kubernetes-admin', groups: [KUBEADM_CLUSTER_ADMINS_GROUP] }]]);
  const superToken = parsed['super-admin-token'];
  if (superToken !== undefined) {
    if (superToken === adminToken) throw new FlagError('--super-admin-token: must differ from --admin-token');
    tokens.set(superToken, { name: 'kubernetes-super-admin', groups: [SYSTEM_PRIVILEGED_GROUP] });
  }
  return {
    listen: listen.replace(/^localhost:/, '127.0.0.1:'),
    etcdServers: parsed['etcd-servers'],
    tracingConfigFile: parsed['tracing-config-file'],
    apiServerTracingGate: gate,
    minor,
    kubeconfigOut: parsed['kubeconfig-out'],
    tokens,
    adminToken,
    traceKubeletProxy: parsed['trace-kubelet-proxy'],
  };
}
