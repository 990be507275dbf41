import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
} from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTELGRPC_ATTR, OTELGRPC_SERVER_ERROR_CODES } from './otelgrpc-conventions';

/**
 * @opentelemetry/instrumentation-grpc and otelgrpc disagree on span shape. This tracer sits between the
 * instrumentation and the SDK and corrects what differs, so a CRI span reads like the real component's:
 *  - name: `grpc.runtime.v1.RuntimeService/X` → `runtime.v1.RuntimeService/X` (otelgrpc `ParseFullMethod`);
 *  - attributes only instrumentation-grpc sets (`grpc.error_name`, `grpc.error_message`, and
 *    `server.address`/`server.port`, which otelgrpc v0.60 never sets for a unix-socket peer) are dropped;
 *  - status: a client span with a non-OK code is Error with the status *details* as message; a server span
 *    is Error only for the codes otelgrpc's `serverStatus` treats as server faults, otherwise Unset.
 * The status is decided once, at end(), because the SDK ignores a later downgrade from Error to Unset.
 */
export class OtelgrpcShapedTracer implements Tracer {
  constructor(
    private readonly delegate: Tracer,
    private readonly shape: OtelgrpcShapeOptions = {},
  ) {}

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    const span = this.delegate.startSpan(stripGrpcPrefix(name), options, context);
    if (!span.isRecording()) return span; // nothing to correct on a span that records nothing
    return new OtelgrpcShapedSpan(span, options?.kind ?? SpanKind.INTERNAL, this.shape.serverErrorOnAnyCode === true);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    // instrumentation-grpc only calls startSpan; keep the Tracer contract by delegating unchanged.
    return (this.delegate.startActiveSpan as (n: string, ...r: unknown[]) => ReturnType<F>)(stripGrpcPrefix(name), ...rest);
  }
}

/** Differences between otelgrpc releases that the shaped spans follow. Defaults: v0.60 behaviour. */
export interface OtelgrpcShapeOptions {
  /**
   * otelgrpc ≤v0.3x's UnaryServerInterceptor sets Error on a server span for every non-OK code
   * (span.SetStatus(codes.Error, s.Message())); later releases use serverStatus (OTELGRPC_SERVER_ERROR_CODES).
   */
  serverErrorOnAnyCode?: boolean;
}

const INSTRUMENTATION_GRPC_ONLY_KEYS: ReadonlySet<string> = new Set([
  'grpc.error_name',
  'grpc.error_message',
  'server.address',
  'server.port',
]);

function stripGrpcPrefix(name: string): string {
  return name.startsWith('grpc.') ? name.slice('grpc.'.length) : name;
}

/** grpc-js error messages read `5 NOT_FOUND: <details>`; otelgrpc reports just `<details>`. */
export function grpcDetailsFromErrorMessage(message: string): string {
  const match = /^\d+ [A-Z_]+: ([\s\S]*)$/.exec(message);
  return match ? match[1] : message;
}

class OtelgrpcShapedSpan implements Span {
  private statusCode: number | undefined;
  private errorMessage: string | undefined;
  private instrumentationStatusMessage: string | undefined;

  constructor(
    private readonly span: Span,
    private readonly kind: SpanKind,
    private readonly serverErrorOnAnyCode: boolean,
  ) {}

  spanContext(): SpanContext {
    return this.span.spanContext();
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.observe(key, value);
    if (!INSTRUMENTATION_GRPC_ONLY_KEYS.has(key)) this.span.setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const [key, value] of Object.entries(attributes)) {
      if (value !== undefined) this.setAttribute(key, value);
    }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    this.span.addEvent(name, attributesOrStartTime, startTime);
    return this;
  }

  addLink(link: Link): this {
    this.span.addLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.span.addLinks(links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // Deferred: decided at end() from the gRPC code, as otelgrpc does on stats.End.
    if (status.message !== undefined) this.instrumentationStatusMessage = status.message;
    return this;
  }

  updateName(name: string): this {
    this.span.updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    const code = this.statusCode;
    if (code !== undefined && code !== 0) {
      const message = this.statusMessage();
      if (this.kind === SpanKind.CLIENT || this.serverErrorOnAnyCode || OTELGRPC_SERVER_ERROR_CODES.has(code)) {
        this.span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
    }
    this.span.end(endTime);
  }

  isRecording(): boolean {
    return this.span.isRecording();
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.span.recordException(exception, time);
  }

  private observe(key: string, value: AttributeValue): void {
    if (key === OTELGRPC_ATTR.RPC_GRPC_STATUS_CODE && typeof value === 'number') this.statusCode = value;
    else if (key === 'grpc.error_message' && typeof value === 'string') this.errorMessage = value;
  }

  private statusMessage(): string {
    const raw = this.errorMessage ?? this.instrumentationStatusMessage ?? '';
    return grpcDetailsFromErrorMessage(raw);
  }
}
