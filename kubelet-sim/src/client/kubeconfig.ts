import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Where and how kubelet-sim reaches the API server, from a kubeconfig. */
export interface ApiServerConnection {
  /** The cluster's `server`, e.g. `http://127.0.0.1:6443` (no trailing slash). */
  server: string;
  /** The user's bearer token, if any. */
  token?: string;
  /** The context used (current-context). */
  context: string;
}

/** A kubeconfig kubelet-sim cannot use; the message names the field and the fix. */
export class KubeconfigError extends Error {}

interface Named<T> {
  name?: string;
  [k: string]: unknown;
  value?: T;
}

function findNamed(list: unknown, name: string, field: string, path: string): Record<string, unknown> {
  if (!Array.isArray(list)) throw new KubeconfigError(`${path}: ${field}: Required value: a list of named entries`);
  const hit = (list as Array<Named<unknown>>).find((e) => e && e.name === name);
  if (!hit) throw new KubeconfigError(`${path}: ${field}: no entry named ${JSON.stringify(name)} (the current context refers to it)`);
  const inner = hit[field.replace(/s$/, '')];
  if (inner === null || typeof inner !== 'object') throw new KubeconfigError(`${path}: ${field}[name=${name}].${field.replace(/s$/, '')}: Required value`);
  return inner as Record<string, unknown>;
}

/**
 * Reads a kubeconfig as the kubelet's `--kubeconfig` does (clientcmd: current-context → context → cluster
 * `server` and user credentials). kubelet-sim speaks plain HTTP to an apiserver on loopback, so it takes
 * `server: http://…` and a `token` (or `tokenFile`); TLS client certificates, exec plugins and
 * `insecure-skip-tls-verify` are refused with a message saying so.
 */
export function loadKubeconfig(path: string): ApiServerConnection {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KubeconfigError(`--kubeconfig ${path}: cannot read it: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object') throw new KubeconfigError(`${path}: not a kubeconfig (expected apiVersion: v1, kind: Config)`);
  const cfg = doc as Record<string, unknown>;
  if (cfg.kind !== undefined && cfg.kind !== 'Config') throw new KubeconfigError(`${path}: kind: Invalid value: ${JSON.stringify(cfg.kind)}: expected Config`);
  const current = cfg['current-context'];
  if (typeof current !== 'string' || current === '') throw new KubeconfigError(`${path}: current-context: Required value: name the context to use`);
  const context = findNamed(cfg.contexts, current, 'contexts', path);
  const clusterName = context.cluster;
  if (typeof clusterName !== 'string') throw new KubeconfigError(`${path}: contexts[name=${current}].context.cluster: Required value`);
  const cluster = findNamed(cfg.clusters, clusterName, 'clusters', path);
  const server = cluster.server;
  if (typeof server !== 'string' || server === '') throw new KubeconfigError(`${path}: clusters[name=${clusterName}].cluster.server: Required value: the apiserver URL, e.g. http://127.0.0.1:6443`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`${path}: clusters[name=${clusterName}].cluster.server: Invalid value: ${JSON.stringify(server)}: not a URL`);
  }
  if (url.protocol !== 'http:') {
    throw new KubeconfigError(`${path}: clusters[name=${clusterName}].cluster.server: Unsupported value: ${JSON.stringify(server)}: kubelet-sim talks plain HTTP to apiserver-sim; use an http:// server`);
  }
  let token: string | undefined;
  const userName = context.user;
  if (typeof userName === 'string' && userName !== '') {
    const user = findNamed(cfg.users, userName, 'users', path);
    for (const unsupported of ['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'exec', 'auth-provider']) {
      if (user[unsupported] !== undefined) throw new KubeconfigError(`${path}: users[name=${userName}].user.${unsupported}: Unsupported value: kubelet-sim authenticates with a bearer token only (token or tokenFile)`);
    }
    if (typeof user.token === 'string') token = user.token;
    else if (typeof user.tokenFile === 'string') {
      try {
        token = readFileSync(user.tokenFile, 'utf8').trim();
      } catch (err) {
        throw new KubeconfigError(`${path}: users[name=${userName}].user.tokenFile: cannot read ${user.tokenFile}: ${(err as Error).message}`);
      }
    }
  }
  return { server: server.replace(/\/+$/, ''), token, context: current };
}
