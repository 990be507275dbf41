// Handcrafted OTLP requests and flat spans shared by the trace-sink tests.
import { loadTraceService } from '../../trace-sink/src/proto/load-trace-service';
import type { FlatSpan } from '../../trace-sink/src/store/flat-span';

export const TRACE_ID = '0102030405060708090a0b0c0d0e0f10';
export const LINKED_TRACE_ID = 'f0e0d0c0b0a090807060504030201000';

/** Encodes an ExportTraceServiceRequest given in proto-loader object form. */
export function encodeExportRequest(request: object): Buffer {
  return loadTraceService().rawService['Export']!.requestSerialize(request);
}

const id = (hex: string): Buffer => Buffer.from(hex, 'hex');

/**
 * A request exercising every value type and the default-omission rules:
 * explicit zeros/empties on the wire must not appear in the JSON, while
 * oneof members holding a default must.
 */
export const RICH_REQUEST = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crio' } }], droppedAttributesCount: 0 },
      scopeSpans: [
        {
          scope: { name: 'crio.server', version: '' },
          spans: [
            {
              traceId: id(TRACE_ID),
              spanId: id('1112131415161718'),
              traceState: 'k=v',
              parentSpanId: id('2122232425262728'),
              flags: 769,
              name: 'runtime.v1.RuntimeService/RunPodSandbox',
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000100100000',
              attributes: [
                { key: 'zero', value: { intValue: '0' } },
                { key: 'empty', value: { stringValue: '' } },
                { key: 'raw', value: { bytesValue: Buffer.from('foo') } },
                { key: 'map', value: { kvlistValue: { values: [{ key: 'a', value: { doubleValue: 0.25 } }] } } },
                { key: 'none', value: { arrayValue: {} } },
                { key: 'big', value: { intValue: '9007199254740993' } },
                { key: 'neg', value: { intValue: '-5' } },
                { key: 'unset', value: {} },
              ],
              droppedAttributesCount: 2,
              events: [{ timeUnixNano: '1700000000050000000', name: 'sandbox.created', droppedAttributesCount: 0 }],
              droppedEventsCount: 0,
              links: [{ traceId: id(LINKED_TRACE_ID), spanId: id('3132333435363738'), flags: 1 }],
              status: { code: 2, message: 'boom' },
            },
            { traceId: id(TRACE_ID), spanId: id('4142434445464748'), name: 'minimal', kind: 0, status: {} },
          ],
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        },
      ],
    },
  ],
};

/** The line the Collector's file exporter writes for RICH_REQUEST. */
export const RICH_REQUEST_JSON =
  '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"crio"}}]},' +
  '"scopeSpans":[{"scope":{"name":"crio.server"},"spans":[' +
  '{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"1112131415161718","traceState":"k=v",' +
  '"parentSpanId":"2122232425262728","flags":769,"name":"runtime.v1.RuntimeService/RunPodSandbox","kind":2,' +
  '"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100100000","attributes":[' +
  '{"key":"zero","value":{"intValue":"0"}},{"key":"empty","value":{"stringValue":""}},' +
  '{"key":"raw","value":{"bytesValue":"Zm9v"}},' +
  '{"key":"map","value":{"kvlistValue":{"values":[{"key":"a","value":{"doubleValue":0.25}}]}}},' +
  '{"key":"none","value":{"arrayValue":{}}},{"key":"big","value":{"intValue":"9007199254740993"}},' +
  '{"key":"neg","value":{"intValue":"-5"}},{"key":"unset","value":{}}],"droppedAttributesCount":2,' +
  '"events":[{"timeUnixNano":"1700000000050000000","name":"sandbox.created"}],' +
  '"links":[{"traceId":"f0e0d0c0b0a090807060504030201000","spanId":"3132333435363738","flags":1}],' +
  '"status":{"message":"boom","code":2}},' +
  '{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"4142434445464748","name":"minimal","status":{}}],' +
  '"schemaUrl":"https://opentelemetry.io/schemas/1.26.0"}]}]}';

const MS_NS = 1_000_000n;
const BASE_NS = 1_700_000_000_000_000_000n;

/** A FlatSpan for view tests; times are ms offsets from a fixed base. */
export function flatSpan(fields: {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind?: FlatSpan['kind'];
  startMs: number;
  durationMs: number;
  error?: string;
  traceId?: string;
}): FlatSpan {
  const start = BASE_NS + BigInt(Math.round(fields.startMs * 1000)) * (MS_NS / 1000n);
  const end = start + BigInt(Math.round(fields.durationMs * 1000)) * (MS_NS / 1000n);
  return {
    traceId: fields.traceId ?? TRACE_ID,
    spanId: fields.spanId,
    parentSpanId: fields.parentSpanId ?? '',
    name: fields.name,
    service: fields.service,
    scope: 'test',
    scopeVersion: '',
    kind: fields.kind ?? 'INTERNAL',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startTimeMs: Number(start / 1000n) / 1000,
    durationMs: fields.durationMs,
    attributes: {},
    resource: { 'service.name': fields.service },
    events: [],
    links: [],
    status: fields.error === undefined ? { code: 'UNSET', message: '' } : { code: 'ERROR', message: fields.error },
    traceState: '',
    flags: 1,
  };
}
