import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as grpcJs from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { AlwaysOnSampler, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startFleetTracing } from '../../../cri-proto/src/tracing/fleet-tracing';
import type { FleetTracing, NodeTracing } from '../../../cri-proto/src/tracing/fleet-tracing';
import { scopeCalls } from '../../../cri-proto/src/tracing/node-scope';
import { createNodeScopeServerInterceptor } from '../../../cri-proto/src/tracing/node-scope-server-interceptor';
import { tempSocket } from '../../helpers/temp-socket';
import type { TempSocket } from '../../helpers/temp-socket';

/*
 * Two simulated nodes in one process, each with a CRI client and a server on its own socket: every span,
 * the instrumentation's CLIENT and SERVER spans included, belongs to the node whose work made it.
 */
describe('fleet tracing: per-node providers behind the process-global gRPC instrumentation', () => {
  const exporter = new InMemorySpanExporter();
  let fleet: FleetTracing;
  let nodes: NodeTracing[];
  let grpc: typeof grpcJs;
  const sockets: TempSocket[] = [];
  const servers: grpcJs.Server[] = [];
  const clients: { Version(req: object, cb: (err: Error | null) => void): void }[] = [];

  before(async () => {
    fleet = await startFleetTracing({ endpoint: undefined, exporter });
    nodes = [];
    for (const name of ['node-a', 'node-b']) {
      nodes.push(await fleet.addNode({ resourceAttributes: { 'service.name': 'crio', 'host.name': name }, mergeEnvironmentResource: false, sampler: new AlwaysOnSampler() }));
    }
    // Loaded after the instrumentation is registered, as the sims do.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    grpc = require('@grpc/grpc-js') as typeof grpcJs;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createRuntimeServiceClient, runtimeServiceDefinition } = require('../../../cri-proto/src/load-cri') as typeof import('../../../cri-proto/src/load-cri');
    for (const node of nodes) {
      const socket = tempSocket('cri.sock', 'fleet-');
      sockets.push(socket);
      const server = new grpc.Server({ interceptors: [createNodeScopeServerInterceptor(grpc, node.provider)] });
      server.addService(runtimeServiceDefinition() as unknown as grpcJs.ServiceDefinition, {
        Version: (_call: unknown, callback: grpcJs.sendUnaryData<object>) => {
          // Code that asks the global API for a tracer, as the runtime's span layers do, lands on this node too.
          trace.getTracer('crio').startSpan('layer', { kind: SpanKind.INTERNAL }).end();
          callback(null, { version: '0.1.0', runtime_name: 'cri-o', runtime_version: '1.33.0', runtime_api_version: 'v1' });
        },
      });
      await new Promise<void>((resolve, reject) => server.bindAsync(socket.listen, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
      servers.push(server);
      clients.push(scopeCalls(createRuntimeServiceClient(socket.listen, { grpc }) as unknown as (typeof clients)[number], node.provider));
    }
  });
  after(async () => {
    for (const server of servers) server.forceShutdown();
    for (const socket of sockets) socket.cleanup();
    await fleet.shutdown();
  });

  const call = (i: number): Promise<void> =>
    new Promise((resolve, reject) => context.with(ROOT_CONTEXT, () => clients[i].Version({}, (err) => (err ? reject(err) : resolve()))));
  const host = (s: ReadableSpan): unknown => s.resource.attributes['host.name'];

  it('puts each node\'s CLIENT, SERVER and global-tracer spans under that node\'s resource, in one trace per call', async () => {
    exporter.reset();
    await call(0);
    await call(1);
    await call(0);
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 9, spans.map((s) => `${s.name}@${String(host(s))}`).join(', '));
    for (const client of spans.filter((s) => s.kind === SpanKind.CLIENT)) {
      const inTrace = spans.filter((s) => s.spanContext().traceId === client.spanContext().traceId);
      assert.deepEqual(inTrace.map((s) => host(s)), [host(client), host(client), host(client)]);
      const server = inTrace.find((s) => s.kind === SpanKind.SERVER)!;
      assert.equal(server.parentSpanContext?.spanId, client.spanContext().spanId);
      assert.equal(server.name, 'runtime.v1.RuntimeService/Version');
    }
    assert.deepEqual(spans.filter((s) => s.kind === SpanKind.CLIENT).map(host), ['node-a', 'node-b', 'node-a']);
    assert.equal(fleet.unscopedSpans(), 0);
  });

  it('makes no span for work outside every node (and counts it)', () => {
    exporter.reset();
    const before = fleet.unscopedSpans();
    const span = trace.getTracer('anything').startSpan('outside');
    span.end();
    assert.equal(span.isRecording(), false);
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.equal(fleet.unscopedSpans(), before + 1);
  });
});
