// Calls TraceService/Export with hand-made protobuf bytes, so tests can send
// requests no SDK would produce (malformed, unusual field values).
import * as grpc from '@grpc/grpc-js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface RawExportResult {
  error: grpc.ServiceError | null;
  response: Buffer | undefined;
}

export function rawExport(address: string, body: Buffer): Promise<RawExportResult> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<RawExportResult>((resolve) => {
    client.makeUnaryRequest(
      EXPORT_PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      (error, response) => {
        client.close();
        resolve({ error, response });
      },
    );
  });
}
