import * as fs from 'node:fs';
import type { OtlpJsonExportTraceServiceRequest } from '../otlp-json/otlp-json-types';
import type { FlatSpan } from './flat-span';
import { flattenRequest } from './flatten-request';

/**
 * Reads a JSON-lines file of OTLP JSON trace requests (trace-sink output, or
 * the Collector's file exporter output) back into flat spans, in file order.
 */
export function readSpansFromJsonl(filePath: string): FlatSpan[] {
  const spans: FlatSpan[] = [];
  const lines = fs.readFileSync(filePath, 'utf8').split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let request: OtlpJsonExportTraceServiceRequest;
    try {
      request = JSON.parse(line) as OtlpJsonExportTraceServiceRequest;
    } catch (err) {
      throw new Error(`${filePath}:${i + 1}: not valid JSON: ${(err as Error).message}`);
    }
    spans.push(...flattenRequest(request));
  }
  return spans;
}
