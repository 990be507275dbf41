import * as fs from 'node:fs';
import * as path from 'node:path';

/** Path of trace_service.proto relative to the proto root (its import root). */
export const TRACE_SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

// tsc does not copy .proto files into dist/, so the proto root is found next
// to the sources both when running from src/ and from dist/trace-sink/src/.
const CANDIDATE_ROOTS = [
  path.resolve(__dirname, '../../proto'),
  path.resolve(__dirname, '../../../../trace-sink/proto'),
] as const;

/** Directory holding trace-sink's own OTLP proto files. */
export function protoRoot(): string {
  for (const dir of CANDIDATE_ROOTS) {
    if (fs.existsSync(path.join(dir, TRACE_SERVICE_PROTO))) return dir;
  }
  throw new Error(`trace-sink: cannot find ${TRACE_SERVICE_PROTO}; looked in ${CANDIDATE_ROOTS.join(', ')}`);
}
