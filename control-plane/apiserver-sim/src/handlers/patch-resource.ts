import { groupVersionOf } from '../registry/resource-definition';
import type { StoredObject } from '../storage/etcd3-store';
import { StorageError } from '../storage/etcd3-store';
import { withComponentSpan } from '../storage/component-base-span';
import type { Json } from './json-patches';
import { applyJsonPatch, applyMergePatch, PatchError } from './json-patches';
import { applyStrategicMergePatch } from './strategic-merge-patch';
import type { ServedResource } from './rest-handlers';
import type { RequestScope } from './request-scope';
import { invalid, notFound, StatusError, writeObject } from './responses';
import { traceFields } from './trace-fields';

/** The patch types apiserver-sim applies (server-side apply is not emulated). */
export const SUPPORTED_PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

/**
 * handlers/patch.go PatchResource@v0.34.10: span "Patch" (traceFields) with `limitedReadBody succeeded` {len},
 * then inside the storage update `About to apply patch` and `About to check admission control`, then
 * `Object stored in database`, `About to write a response`, `Writing http response done`; an unknown
 * Content-Type is 415 naming the accepted ones (negotiation.NewUnsupportedMediaTypeError). The patched object
 * keeps its identity (name, namespace, uid, creationTimestamp) and is validated again. On the `status`
 * subresource only the patched status is kept (the status strategy); on the object itself the stored status
 * is kept where the resource has a status subresource.
 */
export async function patchResource(scope: RequestScope, r: ServedResource, key: string): Promise<void> {
  const onStatus = scope.info.subresource === 'status';
  await withComponentSpan(scope.tracer, 'Patch', traceFields(scope), async (span) => {
    const contentType = (scope.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!(SUPPORTED_PATCH_TYPES as readonly string[]).includes(contentType)) {
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${SUPPORTED_PATCH_TYPES.join(', ')}`);
    }
    const body = await scope.body();
    span.addEvent('limitedReadBody succeeded', { len: body.length });
    let patch: unknown;
    try {
      patch = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new StatusError(400, 'BadRequest', `error decoding patch: ${(err as Error).message}`);
    }
    const { name } = scope.info;
    let out: StoredObject;
    try {
      out = await r.store.guaranteedUpdate(key, scope.auditId, (current) => {
        span.addEvent('About to apply patch');
        let patched: StoredObject;
        try {
          const base = current as unknown as Json;
          const applied =
            contentType === 'application/merge-patch+json'
              ? applyMergePatch(base, patch as Json)
              : contentType === 'application/strategic-merge-patch+json'
                ? applyStrategicMergePatch(base, patch as Json)
                : applyJsonPatch(base, patch);
          patched = applied as unknown as StoredObject;
        } catch (err) {
          if (err instanceof PatchError) throw new StatusError(422, 'Invalid', err.message);
          throw err;
        }
        if (typeof patched !== 'object' || patched === null || typeof patched.metadata !== 'object') throw new StatusError(422, 'Invalid', 'the patch removed the object\'s metadata');
        const rv = patched.metadata.resourceVersion;
        if (rv && rv !== current.metadata.resourceVersion) {
          throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${r.def.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        }
        for (const field of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
          if (patched.metadata[field] !== current.metadata[field]) {
            throw invalid(r.def.kind, name, [{ field: `metadata.${field}`, message: `Invalid value: ${JSON.stringify(patched.metadata[field])}: field is immutable` }]);
          }
        }
        span.addEvent('About to check admission control');
        const prepared = onStatus ? r.def.prepareForStatusUpdate(patched, current) : r.def.prepareForUpdate(patched, current);
        const causes = r.def.validate(prepared);
        if (causes.length > 0) throw invalid(r.def.kind, name, causes);
        return { ...prepared, metadata: { ...prepared.metadata, resourceVersion: current.metadata.resourceVersion } };
      });
    } catch (err) {
      if (err instanceof StorageError && err.reason === 'NotFound') throw notFound(r.def.resource, name);
      throw err;
    }
    span.addEvent('Object stored in database');
    span.addEvent('About to write a response');
    await writeObject(scope, 200, out, groupVersionOf(r.def));
    span.addEvent('Writing http response done');
  });
}
