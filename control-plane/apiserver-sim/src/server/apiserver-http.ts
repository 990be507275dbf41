import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, context as otelContext } from '@opentelemetry/api';
import { apiGroupList, apiVersions, coreResourceList, versionInfo } from '../handlers/discovery';
import type { RestContext, ServedResource } from '../handlers/rest-handlers';
import { createResource, deleteResource, finalizeNamespace, getResource, listResource, storageKey, updateStatus, watchResource } from '../handlers/rest-handlers';
import { patchResource } from '../handlers/patch-resource';
import { openApiV3Document, openApiV3Index } from '../handlers/openapi-v3';
import { writeObject } from '../handlers/responses';
import { NAMESPACES, SYSTEM_NAMESPACES } from '../registry/namespaces';
import { PODS } from '../registry/pods';
import type { EtcdKv } from '../storage/etcd-client';
import { Etcd3Store } from '../storage/etcd3-store';
import type { StoredObject } from '../storage/etcd3-store';
import type { TokenUsers } from './authentication';
import type { ChainTracers, RouteHandler } from './handler-chain';
import { createHandlerChain } from './handler-chain';
import type { RequestInfo } from './request-info';

export interface ApiserverHttpOptions {
  /** `host:port` on loopback; port 0 picks a free one. */
  listen: string;
  etcd: EtcdKv;
  tracers: ChainTracers;
  tokens: TokenUsers;
  /** Emulated Kubernetes minor (for /version). */
  minor: number;
  now?: () => Date;
}

export interface ApiserverHttp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * apiserver-sim's HTTP server: discovery (/api, /api/v1, /apis, /version, /openapi/v3), namespaces and pods
 * (create, get, list, watch, patch, delete, status update) over etcd, behind the apiserver's handler chain. At start it creates the
 * system namespaces that do not exist yet (as the apiserver's system namespaces controller does), outside any
 * request.
 */
export async function startApiserverHttp(options: ApiserverHttpOptions): Promise<ApiserverHttp> {
  const now = options.now ?? (() => new Date());
  const store = (def: typeof PODS): ServedResource => ({
    def,
    store: new Etcd3Store<StoredObject>(options.etcd, options.tracers.componentBase as Tracer, { group: '', resource: def.resource, typeName: def.typeName }),
  });
  const pods = store(PODS);
  const namespaces = store(NAMESPACES);
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

  let serverAddress = '';
  const openApiDocument = openApiV3Document([PODS, NAMESPACES], options.minor);
  const route = (info: RequestInfo, url: URL): RouteHandler | undefined => {
    if (!info.isResourceRequest) {
      switch (url.pathname.replace(/\/+$/, '')) {
        case '/version':
          return (scope) => writeObject(scope, 200, versionInfo(options.minor));
        case '/api':
          return (scope) => writeObject(scope, 200, apiVersions(serverAddress));
        case '/api/v1':
          return (scope) => writeObject(scope, 200, coreResourceList([PODS, NAMESPACES]));
        case '/apis':
          return (scope) => writeObject(scope, 200, apiGroupList());
        case '/openapi/v3':
          return (scope) => writeObject(scope, 200, openApiV3Index(openApiDocument));
        case '/openapi/v3/api/v1':
          return (scope) => writeObject(scope, 200, openApiDocument);
        default:
          return undefined;
      }
    }
    if (info.apiPrefix !== 'api' || info.apiVersion !== 'v1') return undefined;
    const r = info.resource === 'pods' ? pods : info.resource === 'namespaces' ? namespaces : undefined;
    if (!r) return undefined;
    if (info.subresource !== '') return info.subresource === 'status' && info.verb === 'update' ? (s) => updateStatus(s, r) : undefined;
    switch (info.verb) {
      case 'create':
        return (s) => createResource(s, r, ctx);
      case 'get':
        return (s) => getResource(s, r, ctx);
      case 'list':
        return (s) => listResource(s, r, ctx);
      case 'watch':
        return (s) => watchResource(s, r);
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

  const server: Server = createServer(createHandlerChain(options.tracers, options.tokens, route));
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
      })),
  };
}

