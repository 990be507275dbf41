import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, context as otelContext } from '@opentelemetry/api';
import { apiGroup, apiGroupList, apiVersions, resourceList, versionInfo } from '../handlers/discovery';
import type { RestContext, ServedResource } from '../handlers/rest-handlers';
import { createResource, deleteResource, finalizeNamespace, getResource, listResource, storageKey, updateResource, watchResource } from '../handlers/rest-handlers';
import { patchResource } from '../handlers/patch-resource';
import { createBinding } from '../handlers/create-binding';
import { openApiV3Documents, openApiV3Index } from '../handlers/openapi-v3';
import { writeObject } from '../handlers/responses';
import { API_RESOURCES, servedGroups } from '../registry/api-resources';
import { NAMESPACES, SYSTEM_NAMESPACES } from '../registry/namespaces';
import { PODS } from '../registry/pods';
import type { ResourceDefinition } from '../registry/resource-definition';
import type { EtcdKv } from '../storage/etcd-client';
import { Etcd3Store } from '../storage/etcd3-store';
import type { StoredObject } from '../storage/etcd3-store';
import type { TokenUsers } from './authentication';
import type { ChainTracers, RouteHandler } from './handler-chain';
import { createHandlerChain } from './handler-chain';
import type { RequestInfo } from './request-info';
import { podConnect, podLog } from '../handlers/pod-subresources';
import type { ConnectKind, PodSubresourceDeps } from '../handlers/pod-subresources';
import { NODES } from '../registry/nodes';
import { setUpgradeConnection } from './upgrade-connections';
import { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ApiserverHttpOptions {
  /** `host:port` on loopback; port 0 picks a free one. */
  listen: string;
  etcd: EtcdKv;
  tracers: ChainTracers;
  tokens: TokenUsers;
  /** Emulated Kubernetes minor (for /version). */
  minor: number;
  /** CLIENT spans and injected context on requests to kubelets (not what kube-apiserver does; default off). */
  traceKubeletProxy?: boolean;
  now?: () => Date;
}

export interface ApiserverHttp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * apiserver-sim's HTTP server: discovery (/api, /api/v1, /apis, /apis/<group>[/<version>], /version,
 * /openapi/v3), and the resources of API_RESOURCES (namespaces, pods, nodes, coordination.k8s.io leases:
 * create, get, list, watch, update, patch, delete; the status subresource's get, update and patch) over
 * etcd, behind the apiserver's handler chain. At start it creates the
 * system namespaces that do not exist yet (as the apiserver's system namespaces controller does), outside any
 * request.
 */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

export async function startApiserverHttp(options: ApiserverHttpOptions): Promise<ApiserverHttp> {
  const now = options.now ?? (() => new Date());
  const store = (def: ResourceDefinition): ServedResource => ({
    def,
    store: new Etcd3Store<StoredObject>(options.etcd, options.tracers.componentBase as Tracer, { group: def.group, resource: def.resource, typeName: def.typeName }),
  });
  /** Served resources by `<group>/<version>/<resource>` (group '' for core). */
  const served = new Map(API_RESOURCES.map((def) => [`${def.group}/${def.version}/${def.resource}`, store(def)]));
  const servedOf = (def: ResourceDefinition) => served.get(`${def.group}/${def.version}/${def.resource}`) as ServedResource;
  const pods = servedOf(PODS);
  const namespaces = servedOf(NAMESPACES);
  const groups = servedGroups(API_RESOURCES);
  const discovery = new Map<string, unknown>([['/api/v1', resourceList('v1', API_RESOURCES.filter((d) => d.group === ''))]]);
  for (const g of groups) {
    discovery.set(`/apis/${g.name}`, apiGroup(g));
    for (const v of g.versions) discovery.set(`/apis/${g.name}/${v}`, resourceList(`${g.name}/${v}`, API_RESOURCES.filter((d) => d.group === g.name && d.version === v)));
  }
  const known = new Set<string>();
  const ctx: RestContext = {
    namespaces: { has: (n) => known.has(n) },
    now,
    onNamespaceChange: (name, exists) => (exists ? known.add(name) : known.delete(name)),
  };
  await otelContext.with(ROOT_CONTEXT, async () => {
    const existing = await namespaces.store.list('/namespaces', { limit: 0, continueKey: '', resourceVersion: '', auditId: '' });
    for (const ns of existing.items) known.add(String(ns.metadata.name));
    for (const name of SYSTEM_NAMESPACES) {
      if (known.has(name)) continue;
      await namespaces.store.create(`/namespaces/${name}`, NAMESPACES.prepareForCreate({ metadata: { name } }, '', now(), randomUUID()), '').catch(() => undefined);
      known.add(name);
    }
  });

  const kubeletProxy: PodSubresourceDeps = { pods, nodes: servedOf(NODES), clientTracer: options.traceKubeletProxy === true ? options.tracers.otelhttp : undefined };
  let serverAddress = '';
  const openApiDocuments = openApiV3Documents(API_RESOURCES, options.minor);
  const route = (info: RequestInfo, url: URL): RouteHandler | undefined => {
    if (!info.isResourceRequest) {
      const path = url.pathname.replace(/\/+$/, '');
      switch (path) {
        case '/version':
          return (scope) => writeObject(scope, 200, versionInfo(options.minor));
        case '/api':
          return (scope) => writeObject(scope, 200, apiVersions(serverAddress));
        case '/apis':
          return (scope) => writeObject(scope, 200, apiGroupList(groups));
        case '/openapi/v3':
          return (scope) => writeObject(scope, 200, openApiV3Index(openApiDocuments));
        default: {
          const listing = discovery.get(path);
          if (listing) return (scope) => writeObject(scope, 200, listing);
          const document = path.startsWith('/openapi/v3/') ? openApiDocuments.get(path.slice('/openapi/v3/'.length)) : undefined;
          return document ? (scope) => writeObject(scope, 200, document) : undefined;
        }
      }
    }
    if (info.apiPrefix !== (info.apiGroup === '' ? 'api' : 'apis')) return undefined;
    const r = served.get(`${info.apiGroup}/${info.apiVersion}/${info.resource}`);
    if (!r) return undefined;
    // A cluster-scoped resource has no namespace (RequestInfo names a namespace object's own name as its namespace).
    if (!r.def.namespaced && info.namespace !== '' && r !== namespaces) return undefined;
    if (info.subresource !== '') {
      // Pod subresources proxied to the kubelet (log: get; exec, attach, portforward: get and create).
      if (r === pods && info.subresource === 'log' && info.verb === 'get') return (s) => podLog(s, kubeletProxy);
      if (r === pods && CONNECT_SUBRESOURCES.has(info.subresource) && (info.verb === 'get' || info.verb === 'create')) {
        return (s) => podConnect(s, info.subresource as ConnectKind, kubeletProxy);
      }
      if (!r.def.subresources.includes(info.subresource)) return undefined;
      if (info.subresource === 'binding' && info.verb === 'create' && r === pods) return (s) => createBinding(s, r, now);
      if (info.subresource === 'status') {
        if (info.verb === 'get') return (s) => getResource(s, r, ctx);
        if (info.verb === 'update') return (s) => updateResource(s, r);
        if (info.verb === 'patch') return (s) => patchResource(s, r, storageKey(r, info.namespace, info.name));
      }
      return undefined;
    }
    if (r.def.namespaced && info.namespace === '' && info.name !== '') return undefined;
    switch (info.verb) {
      case 'update':
        return (s) => updateResource(s, r);
      case 'create':
        return (s) => createResource(s, r, ctx);
      case 'get':
        return (s) => getResource(s, r, ctx);
      case 'list':
        return (s) => listResource(s, r, ctx);
      case 'watch':
        return (s) => watchResource(s, r, ctx);
      case 'patch':
        return (s) => patchResource(s, r, storageKey(r, info.namespace, info.name));
      case 'delete':
        return async (s) => {
          await deleteResource(s, r, ctx);
          if (r === namespaces) void finalizeNamespace(info.name, pods, namespaces, ctx);
        };
      default:
        return undefined;
    }
  };

  const chain = createHandlerChain(options.tracers, options.tokens, route);
  const server: Server = createServer(chain);
  // Upgrade requests (exec, attach, portforward) go through the same chain with a response bound to the
  // connection; the proxy handler takes the connection over, any other answer is ordinary HTTP.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    setUpgradeConnection(req, { socket, head });
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.once('finish', () => socket.end());
    chain(req, res);
  });
  const match = /^(.*):(\d+)$/.exec(options.listen);
  if (!match) throw new Error(`--listen: ${JSON.stringify(options.listen)}: expected 127.0.0.1:<port>`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(match[2]), match[1], () => resolve());
  });
  const addr = server.address() as AddressInfo;
  serverAddress = `${addr.address}:${addr.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${serverAddress}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
      })),
  };
}

