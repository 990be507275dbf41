import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { spawnSync } from 'node:child_process';
import type * as ProtobufJs from 'protobufjs';
import type { ServiceDefinition as LoaderServiceDefinition } from '@grpc/proto-loader';

import {
  CRI_METHODS,
  CRI_PROTO_PATH,
  IMAGE_SERVICE_METHODS,
  PROTO_LOADER_OPTIONS,
  RUNTIME_SERVICE_METHODS,
  createImageServiceClient,
  createRuntimeServiceClient,
  criEndpointToTarget,
  criEnvValueToString,
  criEnvVar,
  criMethodByPath,
  imageServiceDefinition,
  loadCriPackage,
  loadCriPackageDefinition,
  resolveCriProtoPath,
  runtimeServiceDefinition,
  type cri,
} from '../../cri-proto/src';

// protobufjs is not a direct dependency; use the copy @grpc/proto-loader itself uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protobuf = require(
  require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] }),
) as typeof ProtobufJs;

// Expected method sets, written out independently of cri-methods.ts.
const EXPECTED_RUNTIME_METHODS = [
  'Version', 'RunPodSandbox', 'StopPodSandbox', 'RemovePodSandbox', 'PodSandboxStatus', 'ListPodSandbox',
  'StreamPodSandboxes', 'CreateContainer', 'StartContainer', 'StopContainer', 'RemoveContainer', 'ListContainers',
  'StreamContainers', 'ContainerStatus', 'UpdateContainerResources', 'ReopenContainerLog', 'ExecSync', 'Exec',
  'Attach', 'PortForward', 'ContainerStats', 'ListContainerStats', 'StreamContainerStats', 'PodSandboxStats',
  'ListPodSandboxStats', 'StreamPodSandboxStats', 'UpdateRuntimeConfig', 'Status', 'CheckpointContainer',
  'CheckpointPod', 'RestorePod', 'GetContainerEvents', 'ListMetricDescriptors', 'ListPodSandboxMetrics',
  'StreamPodSandboxMetrics', 'RuntimeConfig', 'UpdatePodSandboxResources',
];
const EXPECTED_RUNTIME_STREAMING = new Set([
  'StreamPodSandboxes', 'StreamContainers', 'StreamContainerStats', 'StreamPodSandboxStats',
  'GetContainerEvents', 'StreamPodSandboxMetrics',
]);
const EXPECTED_IMAGE_METHODS = ['ListImages', 'StreamImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'];
const EXPECTED_IMAGE_STREAMING = new Set(['StreamImages']);

/** Parse the top-level fields of an encoded protobuf message into [fieldNumber, wireType] pairs. */
function wireTags(buf: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wt = key & 7;
    out.push([field, wt]);
    if (wt === 0) varint();
    else if (wt === 1) i += 8;
    else if (wt === 2) {
      const len = varint(); // read first: `i += varint()` would use the stale `i`
      i += len;
    }
    else if (wt === 5) i += 4;
    else throw new Error(`unexpected wire type ${wt}`);
  }
  return out;
}

/** The proto-loader view of a service (carries request/response type descriptors). */
function loaderService(name: 'RuntimeService' | 'ImageService'): LoaderServiceDefinition {
  return loadCriPackageDefinition()[`runtime.v1.${name}`] as LoaderServiceDefinition;
}

/** Message name from a proto-loader MessageTypeDefinition (its `type` is a DescriptorProto). */
function messageName(t: { type: object }): string {
  return (t.type as { name: string }).name;
}

const VARINT = 0;
const LEN = 2;

describe('cri-proto', () => {
  describe('loading', () => {
    it('resolves an absolute, existing api.proto (from source and dist layouts)', () => {
      assert.ok(path.isAbsolute(CRI_PROTO_PATH));
      assert.ok(fs.existsSync(CRI_PROTO_PATH));
      assert.equal(path.basename(CRI_PROTO_PATH), 'api.proto');
      const repoRoot = path.resolve(path.dirname(CRI_PROTO_PATH), '..', '..');
      assert.equal(resolveCriProtoPath(path.join(repoRoot, 'dist', 'cri-proto', 'src')), CRI_PROTO_PATH);
      assert.equal(resolveCriProtoPath(path.join(repoRoot, 'cri-proto', 'src')), CRI_PROTO_PATH);
    });

    it('loads the package definition with both services', () => {
      const def = loadCriPackageDefinition();
      assert.ok(def['runtime.v1.RuntimeService']);
      assert.ok(def['runtime.v1.ImageService']);
      assert.ok(def['runtime.v1.PodSandboxConfig']);
      assert.equal(loadCriPackageDefinition(), def, 'cached');
      assert.deepEqual(
        { ...PROTO_LOADER_OPTIONS },
        { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
      );
    });

    it('does not load @grpc/grpc-js on import or for service definitions', () => {
      const entry = path.join(__dirname, '..', '..', 'cri-proto', 'src', 'index.js');
      const script = [
        `const m = require(${JSON.stringify(entry)});`,
        'm.runtimeServiceDefinition(); m.imageServiceDefinition();',
        "const loaded = Object.keys(require.cache).some((k) => k.includes('@grpc' + require('path').sep + 'grpc-js'));",
        'process.exit(loaded ? 3 : 0);',
      ].join('\n');
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      assert.equal(r.status, 0, `grpc-js was loaded eagerly (status ${r.status}) ${r.stderr}`);
    });

    it('builds typed client constructors via loadCriPackage', () => {
      const pkg = loadCriPackage(grpc);
      assert.equal(typeof pkg.runtime.v1.RuntimeService, 'function');
      assert.equal(typeof pkg.runtime.v1.ImageService, 'function');
      assert.equal(loadCriPackage(grpc), pkg, 'cached per grpc module');
    });

    it('maps CRI endpoints to grpc targets', () => {
      assert.equal(criEndpointToTarget('unix:///run/containerd/containerd.sock'), 'unix:///run/containerd/containerd.sock');
      assert.equal(criEndpointToTarget('/run/crio/crio.sock'), 'unix:///run/crio/crio.sock');
      assert.equal(criEndpointToTarget('localhost:1234'), 'localhost:1234');
    });
  });

  describe('service method sets', () => {
    it('RuntimeService has exactly the upstream RPCs with the right streaming flags', () => {
      const def = runtimeServiceDefinition();
      assert.deepEqual(Object.keys(def), EXPECTED_RUNTIME_METHODS);
      for (const [name, m] of Object.entries(def)) {
        assert.equal(m.path, `/runtime.v1.RuntimeService/${name}`);
        assert.equal(m.requestStream, false, `${name} requestStream`);
        assert.equal(m.responseStream, EXPECTED_RUNTIME_STREAMING.has(name), `${name} responseStream`);
      }
    });

    it('ImageService has exactly the upstream RPCs with the right streaming flags', () => {
      const def = imageServiceDefinition();
      assert.deepEqual(Object.keys(def), EXPECTED_IMAGE_METHODS);
      for (const [name, m] of Object.entries(def)) {
        assert.equal(m.path, `/runtime.v1.ImageService/${name}`);
        assert.equal(m.requestStream, false, `${name} requestStream`);
        assert.equal(m.responseStream, EXPECTED_IMAGE_STREAMING.has(name), `${name} responseStream`);
      }
    });

    it('GetContainerEvents takes GetEventsRequest and streams ContainerEventResponse', () => {
      const m = loaderService('RuntimeService')['GetContainerEvents']!;
      assert.equal(messageName(m.requestType), 'GetEventsRequest');
      assert.equal(messageName(m.responseType), 'ContainerEventResponse');
      assert.equal(m.responseStream, true);
    });

    it('cri-methods const tables equal the loaded definitions', () => {
      const check = (
        table: Readonly<Record<string, { path: string; requestType: string; responseType: string; serverStreaming: boolean }>>,
        def: LoaderServiceDefinition,
      ): void => {
        const fromDef = Object.fromEntries(
          Object.entries(def).map(([k, m]) => [
            k,
            { path: m.path, requestType: messageName(m.requestType), responseType: messageName(m.responseType), serverStreaming: m.responseStream },
          ]),
        );
        assert.deepEqual(JSON.parse(JSON.stringify(table)), fromDef);
      };
      check(RUNTIME_SERVICE_METHODS, loaderService('RuntimeService'));
      check(IMAGE_SERVICE_METHODS, loaderService('ImageService'));
      assert.equal(CRI_METHODS.length, EXPECTED_RUNTIME_METHODS.length + EXPECTED_IMAGE_METHODS.length);
      assert.equal(criMethodByPath('/runtime.v1.ImageService/PullImage')?.method, 'PullImage');
      assert.equal(criMethodByPath('/runtime.v1.RuntimeService/GetContainerEvents')?.serverStreaming, true);
      assert.equal(criMethodByPath('/runtime.v1.RuntimeService/Nope'), undefined);
    });
  });

  describe('wire format (field numbers and types)', () => {
    const root = new protobuf.Root().loadSync(CRI_PROTO_PATH, { keepCase: true });
    const type = (name: string): ProtobufJs.Type => root.lookupType(`runtime.v1.${name}`);
    const encode = (name: string, obj: Record<string, unknown>): Uint8Array => {
      const t = type(name);
      return t.encode(t.fromObject(obj)).finish();
    };

    it('ImageSpec.user_specified_image is field 18, runtime_handler 19, image_ref 20', () => {
      assert.deepEqual(wireTags(encode('ImageSpec', { user_specified_image: 'nginx:1' })), [[18, LEN]]);
      assert.deepEqual(wireTags(encode('ImageSpec', { runtime_handler: 'runc' })), [[19, LEN]]);
      assert.deepEqual(wireTags(encode('ImageSpec', { image_ref: 'sha256:x' })), [[20, LEN]]);
      // 18 << 3 | 2 = 146 = varint 0x92 0x01
      assert.deepEqual([...encode('ImageSpec', { user_specified_image: 'a' })], [0x92, 0x01, 0x01, 0x61]);
    });

    it('ContainerConfig.stop_signal is enum field 18 (SIGNAL_SIGTERM = 23); CDI_devices is 17', () => {
      const buf = encode('ContainerConfig', { stop_signal: 'SIGNAL_SIGTERM' });
      // key 18 << 3 | 0 = 144 = varint 0x90 0x01
      assert.deepEqual([...buf], [0x90, 0x01, 23]);
      assert.deepEqual(wireTags(encode('ContainerConfig', { CDI_devices: [{ name: 'vendor.com/gpu=0' }] })), [[17, LEN]]);
      assert.equal(type('ContainerConfig').fields['stop_signal']?.type, 'Signal');
      assert.equal(root.lookupEnum('runtime.v1.Signal').values['SIGNAL_RUNTIME_DEFAULT'], 0);
      assert.equal(root.lookupEnum('runtime.v1.Signal').values['SIGNAL_SIGRTMAX'], 65);
    });

    it('PodSandboxMetadata.attempt is uint32 field 4', () => {
      const f = type('PodSandboxMetadata').fields['attempt'];
      assert.equal(f?.id, 4);
      assert.equal(f?.type, 'uint32');
      assert.deepEqual([...encode('PodSandboxMetadata', { attempt: 3 })], [4 << 3 | VARINT, 3]);
    });

    it('a handful of other numbers/types match upstream', () => {
      const expect: Array<[string, string, number, string, 'repeated' | 'map' | 'single']> = [
        ['KeyValue', 'value', 2, 'bytes', 'single'],
        ['Mount', 'mount_options', 11, 'string', 'repeated'],
        ['Mount', 'uidMappings', 6, 'IDMapping', 'repeated'],
        ['LinuxSandboxSecurityContext', 'run_as_group', 8, 'Int64Value', 'single'],
        ['LinuxSandboxSecurityContext', 'supplemental_groups_policy', 11, 'SupplementalGroupsPolicy', 'single'],
        ['LinuxContainerSecurityContext', 'run_as_group', 12, 'Int64Value', 'single'],
        ['LinuxContainerSecurityContext', 'supplemental_groups_policy', 17, 'SupplementalGroupsPolicy', 'single'],
        ['ContainerStatus', 'stop_signal', 19, 'Signal', 'single'],
        ['ContainerStatus', 'user', 18, 'ContainerUser', 'single'],
        ['PodSandboxStatusResponse', 'containers_statuses', 3, 'ContainerStatus', 'repeated'],
        ['PodSandboxStatusResponse', 'timestamp', 4, 'int64', 'single'],
        ['PodSandboxConfig', 'labels', 6, 'string', 'map'],
        ['Image', 'size', 4, 'uint64', 'single'],
        ['Image', 'pinned', 8, 'bool', 'single'],
        ['HugepageLimit', 'limit', 2, 'uint64', 'single'],
        ['IDMapping', 'host_id', 1, 'uint32', 'single'],
        ['WindowsCpuGroupAffinity', 'cpu_mask', 1, 'uint64', 'single'],
        ['PsiData', 'Avg10', 2, 'double', 'single'],
        ['RuntimeFeatures', 'mount_options', 3, 'bool', 'single'],
        ['StatusResponse', 'features', 4, 'RuntimeFeatures', 'single'],
        ['ContainerEventResponse', 'containers_statuses', 5, 'ContainerStatus', 'repeated'],
        ['CheckpointPodRequest', 'container_ids', 3, 'string', 'repeated'],
        ['RestorePodRequest', 'container_configs', 5, 'ContainerConfig', 'repeated'],
        ['RestorePodResponse', 'restored_containers', 2, 'RestoredContainer', 'repeated'],
        ['ExecSyncResponse', 'stdout', 1, 'bytes', 'single'],
        ['StopContainerRequest', 'timeout', 2, 'int64', 'single'],
      ];
      for (const [msg, field, id, t, kind] of expect) {
        const f = type(msg).fields[field];
        assert.ok(f, `${msg}.${field} exists`);
        assert.equal(f.id, id, `${msg}.${field} number`);
        assert.equal(f.type, t, `${msg}.${field} type`);
        assert.equal(f.repeated, kind === 'repeated', `${msg}.${field} repeated`);
        assert.equal(f instanceof protobuf.MapField, kind === 'map', `${msg}.${field} map`);
      }
    });

    it('grpc serializers put the same bytes on the wire (nested ImageSpec, env bytes, uint64 as string)', () => {
      const pull = imageServiceDefinition().PullImage;
      const req = pull.requestSerialize({ image: { image: 'busybox', user_specified_image: 'busybox:1' } });
      assert.deepEqual(wireTags(req), [[1, LEN]]);
      const inner = req.subarray(2); // tag + 1-byte length
      assert.deepEqual(wireTags(inner), [[1, LEN], [18, LEN]]);

      const create = runtimeServiceDefinition().CreateContainer;
      const bytes = create.requestSerialize({ config: { envs: [criEnvVar('GREETING', 'héllo')], stop_signal: 'SIGNAL_SIGKILL' } });
      const decoded = create.requestDeserialize(bytes) as cri.CreateContainerRequest__Output;
      assert.equal(decoded.config?.stop_signal, 'SIGNAL_SIGKILL');
      assert.equal(decoded.config?.envs[0]?.key, 'GREETING');
      assert.ok(Buffer.isBuffer(decoded.config?.envs[0]?.value));
      assert.equal(criEnvValueToString(decoded.config!.envs[0]!), 'héllo');

      const list = imageServiceDefinition().ListImages;
      const resp = list.responseDeserialize(list.responseSerialize({ images: [{ id: 'sha256:a', size: '18446744073709551615' }] })) as cri.ListImagesResponse__Output;
      assert.equal(resp.images[0]?.size, '18446744073709551615');
    });
  });

  describe('grpc-js round trip over a unix socket', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cri-proto-test-'));
    const socket = path.join(dir, 'cri.sock');
    const server = new grpc.Server();
    let runtimeClient: cri.RuntimeServiceClient | undefined;
    let imageClient: cri.ImageServiceClient | undefined;

    before(async () => {
      const runtimeHandlers: Partial<cri.RuntimeServiceHandlers> = {
        Version: (call, cb) => {
          cb(null, { version: call.request.version, runtime_name: 'runtime-sim', runtime_version: '0.1.0', runtime_api_version: 'v1' });
        },
        GetContainerEvents: (call) => {
          call.write({ container_id: 'c1', container_event_type: 'CONTAINER_CREATED_EVENT', created_at: '1' });
          call.write({ container_id: 'c1', container_event_type: 'CONTAINER_STARTED_EVENT', created_at: '2' });
          call.end();
        },
      };
      const imageHandlers: Partial<cri.ImageServiceHandlers> = {
        PullImage: (call, cb) => cb(null, { image_ref: `sha256:${call.request.image?.user_specified_image ?? ''}` }),
      };
      server.addService(runtimeServiceDefinition(), runtimeHandlers as grpc.UntypedServiceImplementation);
      server.addService(imageServiceDefinition(), imageHandlers as grpc.UntypedServiceImplementation);
      await new Promise<void>((resolve, reject) =>
        server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
      );
      runtimeClient = createRuntimeServiceClient(socket, { grpc });
      imageClient = createImageServiceClient(`unix://${socket}`);
    });

    after(async () => {
      runtimeClient?.close();
      imageClient?.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('calls Version', async () => {
      const resp = await new Promise<cri.VersionResponse__Output>((resolve, reject) =>
        runtimeClient!.Version({ version: 'v1' }, (err, r) => (err || !r ? reject(err) : resolve(r))),
      );
      assert.deepEqual(
        { ...resp },
        { version: 'v1', runtime_name: 'runtime-sim', runtime_version: '0.1.0', runtime_api_version: 'v1' },
      );
    });

    it('streams GetContainerEvents', async () => {
      const events: cri.ContainerEventResponse__Output[] = [];
      await new Promise<void>((resolve, reject) => {
        const stream = runtimeClient!.GetContainerEvents({});
        stream.on('data', (e: cri.ContainerEventResponse__Output) => events.push(e));
        stream.on('error', reject);
        stream.on('end', () => resolve());
      });
      assert.deepEqual(events.map((e) => [e.container_event_type, e.created_at]), [
        ['CONTAINER_CREATED_EVENT', '1'],
        ['CONTAINER_STARTED_EVENT', '2'],
      ]);
    });

    it('calls ImageService.PullImage', async () => {
      const resp = await new Promise<cri.PullImageResponse__Output>((resolve, reject) =>
        imageClient!.PullImage({ image: { image: 'busybox', user_specified_image: 'busybox:1' } }, (err, r) =>
          err || !r ? reject(err) : resolve(r),
        ),
      );
      assert.equal(resp.image_ref, 'sha256:busybox:1');
    });
  });
});
