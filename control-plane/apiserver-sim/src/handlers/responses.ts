import type { Attributes } from '@opentelemetry/api';
import type { RequestScope } from './request-scope';
import { withComponentSpan } from '../storage/component-base-span';

/**
 * apimachinery's json serializer identifier wrapped by the versioning codec (runtime/serializer/json
 * identifier(), versioning.go identifier()), the `encoder` attribute of SerializeObject spans.
 * UNVERIFIED against a live apiserver: built from the two identifier functions' field sets.
 */
export function versioningJsonEncoderId(encodeGv: string): string {
  const json = JSON.stringify({ name: 'json', pretty: 'false', strict: 'false', yaml: 'false' });
  return JSON.stringify({ encodeGV: encodeGv, encoder: json, name: 'versioning' });
}

/**
 * responsewriters.SerializeObject (writers.go@v0.34.10): span "SerializeObject" {audit-id, method, url,
 * protocol, mediaType, encoder} with the deferred writer's events "About to start writing response"
 * {writer, size} and "Write call succeeded" {size}.
 */
export async function writeObject(scope: RequestScope, statusCode: number, obj: unknown, encodeGv = 'v1'): Promise<void> {
  const { req, res } = scope;
  const attributes: Attributes = {
    'audit-id': scope.auditId,
    method: req.method ?? '',
    url: scope.url.pathname,
    protocol: `HTTP/${req.httpVersion}`,
    mediaType: 'application/json',
    encoder: versioningJsonEncoderId(encodeGv),
  };
  await withComponentSpan(scope.tracer, 'SerializeObject', attributes, async (span) => {
    const body = Buffer.from(JSON.stringify(obj) + '\n');
    span.addEvent('About to start writing response', { writer: '*http.response', size: body.length });
    res.writeHead(statusCode, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    await new Promise<void>((resolve) => res.end(body, () => resolve()));
    span.addEvent('Write call succeeded', { size: body.length });
  });
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind: string;
  causes?: Array<{ reason: string; message: string; field: string }>;
}

/** A metav1.Status failure, as apimachinery's errors package builds them (api/errors/errors.go). */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `resource "name" not found` (NewNotFound: the qualified resource and name). */
export function notFound(resource: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

export function alreadyExists(resource: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
}

/** NewInvalid: `<Kind> "<name>" is invalid: <field>: Required value` for each cause. */
export function invalid(kind: string, name: string, causes: Array<{ field: string; message: string }>): StatusError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`, {
    name,
    kind: kind.toLowerCase() + 's',
    causes: causes.map((c) => ({ reason: c.message.startsWith('Required') ? 'FieldValueRequired' : 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}
