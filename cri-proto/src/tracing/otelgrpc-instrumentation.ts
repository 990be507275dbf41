import type { TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import type { Tracer } from '@opentelemetry/api';
import { OTELGRPC_DEFAULT_VERSION, OTELGRPC_SCOPE_NAME } from './otelgrpc-conventions';
import { OtelgrpcShapedTracer } from './otelgrpc-shaped-tracer';
import type { OtelgrpcShapeOptions } from './otelgrpc-shaped-tracer';

/**
 * instrumentation-grpc, reporting under otelgrpc's instrumentation scope and span shape.
 * The scope name/version are those of the Go library the emulated component links
 * (e.g. cri-client v0.34 → otelgrpc v0.60.0), so a backend grouping by scope sees the same thing.
 */
class OtelgrpcInstrumentation extends GrpcInstrumentation {
  private shapedTracer: Tracer | undefined;

  constructor(
    private readonly otelgrpcVersion: string,
    ignoreGrpcMethods: string[],
    private readonly shape: OtelgrpcShapeOptions = {},
  ) {
    super({ ignoreGrpcMethods });
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.shapedTracer = new OtelgrpcShapedTracer(tracerProvider.getTracer(OTELGRPC_SCOPE_NAME, this.otelgrpcVersion), this.shape);
  }

  protected override get tracer(): Tracer {
    return this.shapedTracer ?? super.tracer;
  }
}

export interface OtelgrpcInstrumentationOptions {
  tracerProvider: TracerProvider;
  /** otelgrpc version to report as the scope version; default the one Kubernetes 1.34 / CRI-O 1.33 link. */
  otelgrpcVersion?: string;
  /** Method names (last path segment) that get no span at all, besides the exporter's own `Export`. */
  untracedMethods?: readonly string[];
  /** Span shape differences of older otelgrpc releases. Default: v0.60's. */
  shape?: OtelgrpcShapeOptions;
}

/**
 * Patch @grpc/grpc-js so every client and server call of this process yields an otelgrpc-shaped span.
 * Must run before anything loads @grpc/grpc-js: the instrumentation patches the module when it is first
 * required, and a module loaded earlier is never patched (open-telemetry/opentelemetry-js#4711).
 * The OTLP exporter's own `Export` calls are ignored so exporting traces does not trace itself.
 */
export function registerOtelgrpcInstrumentation(options: OtelgrpcInstrumentationOptions): () => void {
  if (isGrpcJsLoaded()) {
    throw new Error('@grpc/grpc-js was loaded before the gRPC instrumentation was registered; its calls would not be traced');
  }
  const instrumentation = new OtelgrpcInstrumentation(
    options.otelgrpcVersion ?? OTELGRPC_DEFAULT_VERSION,
    ['Export', ...(options.untracedMethods ?? [])],
    options.shape,
  );
  return registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: options.tracerProvider });
}

function isGrpcJsLoaded(): boolean {
  return Object.keys(require.cache).some((path) => /[\\/]@grpc[\\/]grpc-js[\\/]/.test(path));
}
