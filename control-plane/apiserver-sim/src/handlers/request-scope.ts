import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import type { RequestInfo } from '../server/request-info';
import type { UserInfo } from '../server/authentication';

/** What every handler gets about the request it serves. */
export interface RequestScope {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: RequestInfo;
  user: UserInfo;
  auditId: string;
  /** component-base tracing.Start's tracer (scope k8s.io/component-base/tracing). */
  tracer: Tracer;
  /** The request body, read once (empty for bodiless requests). */
  body(): Promise<Buffer>;
}
