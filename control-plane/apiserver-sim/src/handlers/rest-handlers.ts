import { randomBytes, randomUUID } from 'node:crypto';
import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ResourceDefinition } from '../registry/resource-definition';
import { groupVersionOf, metaTime } from '../registry/resource-definition';
import { withComponentSpan } from '../storage/component-base-span';
import type { Etcd3Store, StoredObject } from '../storage/etcd3-store';
import { StorageError } from '../storage/etcd3-store';
import type { RequestScope } from './request-scope';
import { alreadyExists, badRequest, invalid, notFound, StatusError, writeObject } from './responses';
import { tableVersionAccepted, toTable } from './table';
import { traceFields } from './trace-fields';
import { unknownFields } from './openapi-v3';
import { selectorOf } from './selectors';
import { decodeRequestObject } from './request-body';

/** One served resource: its definition and storage. */
export interface ServedResource {
  def: ResourceDefinition;
  store: Etcd3Store<StoredObject>;
}

/** Namespaces known to exist (the NamespaceLifecycle admission plugin reads an informer cache, not etcd). */
export interface NamespaceLister {
  has(name: string): boolean;
}

export interface RestContext {
  namespaces: NamespaceLister;
  now: () => Date;
  /** Called after a namespace is created or finally removed, to keep the lister current. */
  onNamespaceChange(name: string, exists: boolean): void;
}

/** names.SimpleNameGenerator: generateName + 5 random alphanumerics. */
function generateName(base: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  return base + [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

export function storageKey(r: ServedResource, namespace: string, name: string): string {
  return r.def.namespaced ? `/${r.def.resource}/${namespace}/${name}` : `/${r.def.resource}/${name}`;
}

function collectionKey(r: ServedResource, namespace: string): string {
  return r.def.namespaced && namespace !== '' ? `/${r.def.resource}/${namespace}` : `/${r.def.resource}`;
}

function toStatusError(err: unknown, r: ServedResource, name: string): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof StorageError) {
    if (err.reason === 'NotFound') return notFound(r.def.resource, name);
    if (err.reason === 'AlreadyExists') return alreadyExists(r.def.resource, name);
    if (err.reason === 'Expired') return new StatusError(410, 'Expired', err.message);
    return new StatusError(409, 'Conflict', err.message);
  }
  return new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
}

/** handlers/create.go createHandler: span "Create" with its events, admission, storage, 201 with the object. */
export async function createResource(scope: RequestScope, r: ServedResource, ctx: RestContext): Promise<void> {
  await withComponentSpan(scope.tracer, 'Create', traceFields(scope), async (span) => {
    const body = await scope.body();
    span.addEvent('limitedReadBody succeeded', { len: body.length });
    let obj: StoredObject;
    try {
      obj = decodeRequestObject(scope.req.headers, body, r.def.kind) as StoredObject;
      if (typeof obj.metadata !== 'object' || obj.metadata === null) throw new Error('metadata is required');
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw badRequest(`error decoding the request body as JSON: ${(err as Error).message}`);
    }
    checkFieldValidation(scope, obj);
    span.addEvent('About to convert to expected version');
    if (obj.kind !== undefined && obj.kind !== r.def.kind) throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${groupVersionOf(r.def)})`);
    span.addEvent('Conversion done');
    const namespace = scope.info.namespace;
    if (r.def.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!obj.metadata.name && typeof obj.metadata.generateName === 'string') obj.metadata.name = generateName(obj.metadata.generateName);
    const name = String(obj.metadata.name ?? '');
    span.addEvent('About to store object in database');
    // Admission (NamespaceLifecycle) then the strategy's PrepareForCreate and Validate, as rest.BeforeCreate.
    if (r.def.namespaced && !ctx.namespaces.has(namespace)) throw notFound('namespaces', namespace);
    const prepared = r.def.prepareForCreate(obj, namespace, ctx.now(), randomUUID());
    const causes = r.def.validate(prepared);
    if (causes.length > 0) throw invalid(r.def.kind, name, causes);
    let created: StoredObject;
    try {
      created = await r.store.create(storageKey(r, namespace, name), prepared, scope.auditId);
    } catch (err) {
      span.addEvent('Write to database call failed', { len: body.length, err: (err as Error).message });
      throw toStatusError(err, r, name);
    }
    span.addEvent('Write to database call succeeded', { len: body.length });
    if (r.def.resource === 'namespaces') ctx.onNamespaceChange(name, true);
    span.addEvent('About to write a response');
    await writeObject(scope, 201, created, groupVersionOf(r.def));
    span.addEvent('Writing http response done');
  });
}

/**
 * ?fieldValidation (Ignore, Warn, Strict; the apiserver's default is Warn): unknown fields are a 400
 * `strict decoding error: unknown field "…"` under Strict and a `Warning: 299 - "unknown field \"…\""` header
 * under Warn (handlers/create.go, rest.go fieldValidation).
 */
function checkFieldValidation(scope: RequestScope, obj: StoredObject): void {
  const directive = scope.url.searchParams.get('fieldValidation') ?? 'Warn';
  if (directive !== 'Ignore' && directive !== 'Warn' && directive !== 'Strict') {
    throw badRequest(`fieldValidation: Invalid value: ${JSON.stringify(directive)}: fieldValidation must be one of "Ignore", "Warn" or "Strict"`);
  }
  if (directive === 'Ignore') return;
  const unknown = unknownFields(obj as Record<string, unknown>);
  if (unknown.length === 0) return;
  if (directive === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  scope.res.setHeader('Warning', unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`));
}

/** handlers/get.go GetResource: span "Get", storage Get (no storage span), 200 or 404. */
export async function getResource(scope: RequestScope, r: ServedResource, ctx: RestContext): Promise<void> {
  await withComponentSpan(scope.tracer, 'Get', traceFields(scope), async (span) => {
    span.addEvent('About to Get from storage');
    const { namespace, name } = scope.info;
    let obj: StoredObject | undefined;
    try {
      obj = await r.store.get(storageKey(r, namespace, name));
    } catch (err) {
      throw toStatusError(err, r, name);
    }
    if (!obj) throw notFound(r.def.resource, name);
    span.addEvent('About to write a response');
    const table = tableVersionAccepted(scope.req.headers.accept);
    await writeObject(scope, 200, table ? toTable(r.def, table, [obj], { resourceVersion: obj.metadata.resourceVersion }, ctx.now()) : obj, table ? `meta.k8s.io/${table}` : groupVersionOf(r.def));
    span.addEvent('Writing http response done');
  });
}

/** handlers/get.go ListResource: span "List", storage GetList, the list (or a Table) with the etcd revision. */
export async function listResource(scope: RequestScope, r: ServedResource, ctx: RestContext): Promise<void> {
  await withComponentSpan(scope.tracer, 'List', traceFields(scope), async (span) => {
    const q = scope.url.searchParams;
    const limit = Number(q.get('limit') ?? '0');
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: Invalid value: ${JSON.stringify(q.get('limit'))}: must be a non-negative integer`);
    const selector = selectorOf(q, r.def);
    span.addEvent('About to List from storage');
    let result;
    try {
      result = await r.store.list(collectionKey(r, scope.info.namespace), {
        limit,
        continueKey: q.get('continue') ?? '',
        resourceVersion: q.get('resourceVersion') ?? '',
        auditId: scope.auditId,
      });
    } catch (err) {
      throw toStatusError(err, r, '');
    }
    span.addEvent('Listing from storage done');
    // The registry's SelectionPredicate filters what storage returned (a page may then hold fewer than limit).
    const items = selector.empty ? result.items : result.items.filter((o) => selector.matches(o));
    const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) listMeta.continue = result.continue;
    if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
    const table = tableVersionAccepted(scope.req.headers.accept);
    const body = table
      ? toTable(r.def, table, items, listMeta, ctx.now())
      : { kind: `${r.def.kind}List`, apiVersion: groupVersionOf(r.def), metadata: listMeta, items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) };
    await writeObject(scope, 200, body, table ? `meta.k8s.io/${table}` : groupVersionOf(r.def));
    span.addEvent('Writing http response done', { count: items.length });
  });
}

/**
 * handlers/watch.go serveWatch under ListResource's "List" span: a chunked JSON stream of
 * {"type","object"} events from an etcd watch, until the client goes away or timeoutSeconds pass. With a
 * field or label selector, a change that makes an object match is sent as ADDED and one that makes it stop
 * matching as DELETED (storage/etcd3/watcher.go transform@v0.34.10). When the Accept header asks for a
 * meta.k8s.io Table (`kubectl get -w`), each event's object is a one-row Table, as handlers/watch.go
 * transforms watch events for a Table target; Status (ERROR) events stay as they are.
 */
export async function watchResource(scope: RequestScope, r: ServedResource, ctx: RestContext): Promise<void> {
  await withComponentSpan(scope.tracer, 'List', traceFields(scope), async () => {
    const q = scope.url.searchParams;
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '1800');
    const selector = selectorOf(q, r.def);
    const table = tableVersionAccepted(scope.req.headers.accept);
    const { res } = scope;
    const send = (type: string, object: unknown): void => {
      const out = table && type !== 'ERROR' ? toTable(r.def, table, [object as StoredObject], { resourceVersion: (object as StoredObject).metadata.resourceVersion }, ctx.now()) : object;
      res.write(JSON.stringify({ type, object: out }) + '\n');
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // serveWatch flushes the headers before the first event (handlers/watch.go), so clients see 200 at once.
    res.flushHeaders();
    const key = scope.info.name !== '' ? storageKey(r, scope.info.namespace, scope.info.name) : collectionKey(r, scope.info.namespace);
    const stop = await r.store.watch(key, scope.info.name === '', q.get('resourceVersion') ?? '', (type, object, prev) => {
      if (type === 'ERROR' || selector.empty) {
        send(type, object);
        return;
      }
      const obj = object as StoredObject;
      const now = selector.matches(obj);
      const before = prev !== undefined && selector.matches(prev);
      if (type === 'MODIFIED' && now && !before) send('ADDED', object);
      else if (type === 'MODIFIED' && !now && before) send('DELETED', { ...prev, metadata: { ...prev.metadata, resourceVersion: obj.metadata.resourceVersion } });
      else if (now) send(type, object);
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, timeoutSeconds) * 1000);
      timer.unref();
      scope.req.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    stop();
    if (!res.writableEnded) res.end();
  });
}

/** metav1.DeleteOptions as the body or the query gives them. */
interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

function deleteOptionsOf(scope: RequestScope, body: Buffer): DeleteOptions {
  let options: DeleteOptions = {};
  if (body.length > 0) {
    try {
      options = decodeRequestObject(scope.req.headers, body, 'DeleteOptions') as DeleteOptions;
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw badRequest(`error decoding the delete options: ${(err as Error).message}`);
    }
  }
  const q = scope.url.searchParams.get('gracePeriodSeconds');
  if (q !== null) {
    const n = Number(q);
    if (!Number.isInteger(n)) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(q)}: must be a whole number of seconds`);
    options.gracePeriodSeconds = n;
  }
  return options;
}

/**
 * handlers/delete.go DeleteResource: span "Delete". Preconditions (uid, resourceVersion) must hold (409).
 * A resource with a graceful-delete strategy (pods) and a grace period above 0 is only marked: the stored
 * object gets deletionTimestamp = now + grace and deletionGracePeriodSeconds (a MODIFIED watch event), and
 * a later delete may only shorten it (pkg/registry/rest/delete.go BeforeDelete); a grace period of 0 removes
 * it (the kubelet's final delete, or `--force --grace-period=0`).
 */
export async function deleteResource(scope: RequestScope, r: ServedResource, ctx: RestContext): Promise<void> {
  await withComponentSpan(scope.tracer, 'Delete', traceFields(scope), async (span) => {
    const body = await scope.body();
    span.addEvent('limitedReadBody succeeded', { len: body.length });
    const options = deleteOptionsOf(scope, body);
    if (body.length > 0) span.addEvent('Decoded delete options');
    span.addEvent('About to delete object from database');
    const { namespace, name } = scope.info;
    const key = storageKey(r, namespace, name);
    const checkPreconditions = (current: StoredObject): void => {
      const uid = options.preconditions?.uid;
      if (uid && uid !== current.metadata.uid) {
        throw new StatusError(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(current.metadata.uid)}`, { name, kind: r.def.resource });
      }
      const rv = options.preconditions?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw new StatusError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${String(current.metadata.resourceVersion)}`, { name, kind: r.def.resource });
      }
    };
    let out: StoredObject;
    try {
      const current = await r.store.get(key);
      if (!current) throw notFound(r.def.resource, name);
      checkPreconditions(current);
      const grace = r.def.deletionGracePeriodSeconds?.(current, options.gracePeriodSeconds) ?? 0;
      if (grace > 0) {
        out = await r.store.guaranteedUpdate(key, scope.auditId, (obj) => {
          checkPreconditions(obj);
          const had = obj.metadata.deletionGracePeriodSeconds as number | undefined;
          if (had !== undefined && had <= grace) return obj;
          return { ...obj, metadata: { ...obj.metadata, deletionTimestamp: metaTime(new Date(ctx.now().getTime() + grace * 1000)), deletionGracePeriodSeconds: grace } };
        });
      } else if (r.def.resource === 'namespaces') {
        // The namespace strategy only marks it Terminating; the namespace controller empties and removes it.
        out = await r.store.guaranteedUpdate(storageKey(r, namespace, name), scope.auditId, (ns) => ({
          ...ns,
          metadata: { ...ns.metadata, deletionTimestamp: ns.metadata.deletionTimestamp ?? metaTime(ctx.now()) },
          status: { phase: 'Terminating' },
        }));
      } else {
        out = await r.store.delete(key);
      }
    } catch (err) {
      throw toStatusError(err, r, name);
    }
    span.addEvent('Object deleted from database');
    span.addEvent('About to write a response');
    await writeObject(scope, 200, out, groupVersionOf(r.def));
    span.addEvent('Writing http response done');
  });
}

/**
 * handlers/update.go UpdateResource: span "Update" with its events. On the object (PUT .../<name>) the body
 * replaces it but for what the strategy keeps (PrepareForUpdate: the status where there is a status
 * subresource); on `status` only the body's .status is taken. resourceVersion, when given, must match the
 * stored one (409 otherwise); without it the update is unconditional (AllowUnconditionalUpdate). uid,
 * creationTimestamp and namespace stay as stored (rest.BeforeUpdate). The object is validated again.
 */
export async function updateResource(scope: RequestScope, r: ServedResource): Promise<void> {
  await withComponentSpan(scope.tracer, 'Update', traceFields(scope), async (span) => {
    const body = await scope.body();
    span.addEvent('limitedReadBody succeeded', { len: body.length });
    let incoming: StoredObject;
    try {
      incoming = decodeRequestObject(scope.req.headers, body, r.def.kind) as StoredObject;
      if (typeof incoming.metadata !== 'object' || incoming.metadata === null) throw new Error('metadata is required');
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw badRequest(`the body of the request was in an unknown format: ${(err as Error).message}`);
    }
    checkFieldValidation(scope, incoming);
    span.addEvent('About to convert to expected version');
    if (incoming.kind !== undefined && incoming.kind !== r.def.kind) throw badRequest(`the API version in the data (${String(incoming.apiVersion)}) does not match the expected API version (${groupVersionOf(r.def)})`);
    span.addEvent('Conversion done');
    const { namespace, name } = scope.info;
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(incoming.metadata.name)}) does not match the name on the URL (${name})`);
    }
    span.addEvent('About to store object in database');
    const onStatus = scope.info.subresource === 'status';
    let out: StoredObject;
    try {
      out = await r.store.guaranteedUpdate(storageKey(r, namespace, name), scope.auditId, (current) => {
        const rv = incoming.metadata.resourceVersion;
        if (rv && rv !== current.metadata.resourceVersion) {
          throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${r.def.resource}${r.def.group ? `.${r.def.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: r.def.group || undefined, kind: r.def.resource });
        }
        const next: StoredObject = {
          ...incoming,
          apiVersion: current.apiVersion,
          kind: current.kind,
          metadata: {
            ...incoming.metadata,
            name,
            namespace: current.metadata.namespace,
            uid: current.metadata.uid,
            creationTimestamp: current.metadata.creationTimestamp,
            resourceVersion: current.metadata.resourceVersion,
          },
        };
        const prepared = onStatus ? r.def.prepareForStatusUpdate(next, current) : r.def.prepareForUpdate(next, current);
        const causes = r.def.validate(prepared);
        if (causes.length > 0) throw invalid(r.def.kind, name, causes);
        return prepared;
      });
    } catch (err) {
      span.addEvent('Write to database call failed', { len: body.length, err: (err as Error).message });
      throw toStatusError(err, r, name);
    }
    span.addEvent('Write to database call succeeded', { len: body.length });
    span.addEvent('About to write a response');
    await writeObject(scope, 200, out, groupVersionOf(r.def));
    span.addEvent('Writing http response done');
  });
}

/**
 * The namespace controller's finalization, reduced: deletes the namespace's pods, then the namespace. Runs
 * outside any request (pkg/controller/namespace), so its etcd calls start from an empty context.
 */
export async function finalizeNamespace(name: string, pods: ServedResource, namespaces: ServedResource, ctx: RestContext): Promise<void> {
  await otelContext.with(ROOT_CONTEXT, async () => {
    const list = await pods.store.list(`/pods/${name}`, { limit: 0, continueKey: '', resourceVersion: '', auditId: '' });
    for (const pod of list.items) await pods.store.delete(`/pods/${name}/${String(pod.metadata.name)}`).catch(() => undefined);
    await namespaces.store.delete(`/namespaces/${name}`).catch(() => undefined);
    ctx.onNamespaceChange(name, false);
  });
}
