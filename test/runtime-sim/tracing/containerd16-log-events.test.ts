/**
 * containerd 1.6's log lines as span events, played in-process: the runtime-sim handlers over a state
 * with a fake clock, each call inside a recording SERVER span, as the otelgrpc interceptor would run them.
 * Requests go through the proto definition first, so handlers and facts see decoded messages.
 * The same lines over real gRPC are pinned by test/fixtures/persona-spans/containerd-1.6-variants.txt.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { imageServiceDefinition, runtimeServiceDefinition } from '../../../cri-proto/src/load-cri';
import { loadPersonaVersion } from '../../../runtime-sim/src/personas/persona-catalog';
import { createImageServiceHandlers } from '../../../runtime-sim/src/server/image-service-handlers';
import { createRuntimeServiceHandlers } from '../../../runtime-sim/src/server/runtime-service-handlers';
import { FakeClock } from '../../../runtime-sim/src/state/clock';
import { RuntimeState } from '../../../runtime-sim/src/state/runtime-state';
import { createCriCallTracing } from '../../../runtime-sim/src/tracing/cri-call-tracing';

/* eslint-disable @typescript-eslint/no-explicit-any */

const spec = loadPersonaVersion('containerd', '1.6');
const IMAGE = 'nginx:1.27';
const NAMESPACE_NODE = 'NODE';

/** Sleeps that wait for the test to move the fake clock (so two calls can overlap). */
class ManualTime {
  private sleepers: Array<{ dueNs: bigint; wake: () => void }> = [];
  constructor(readonly clock: FakeClock) {}
  sleep = (ms: number): Promise<void> =>
    new Promise((wake) => this.sleepers.push({ dueNs: this.clock.nowNs() + BigInt(Math.ceil(ms)) * 1_000_000n, wake }));
  /** Moves the clock by `ms` and wakes every sleeper then due. */
  async advance(ms: number): Promise<void> {
    this.clock.advanceMs(ms);
    const now = this.clock.nowNs();
    const due = this.sleepers.filter((s) => s.dueNs <= now);
    this.sleepers = this.sleepers.filter((s) => s.dueNs > now);
    for (const s of due) s.wake();
    await new Promise((r) => setImmediate(r));
  }
}

interface Node {
  state: RuntimeState;
  time: ManualTime;
  /** Starts a call in its own SERVER span; resolves with the span's log events once it has ended. */
  call(method: string, request: unknown): Promise<LogEvent[]>;
  /** The same call with no span in its context (a trace the sampler dropped). */
  callUnsampled(method: string, request: unknown): Promise<void>;
}

interface LogEvent {
  name: string;
  attributes: Attributes;
}

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

function newNode(): Node {
  const clock = new FakeClock();
  const time = new ManualTime(clock);
  const state = new RuntimeState({ persona: 'containerd', clock, seed: 7 });
  const tracing = createCriCallTracing(spec, state, { nowNs: () => clock.nowNs() });
  const options = { tracing, sleep: time.sleep };
  const runtime = createRuntimeServiceHandlers(state, options) as any;
  const images = createImageServiceHandlers(state, options) as any;
  const defs: Record<string, any> = { ...(imageServiceDefinition() as any), ...(runtimeServiceDefinition() as any) };
  const tracer = provider.getTracer('otelgrpc');
  const decode = (method: string, request: unknown): unknown => defs[method].requestDeserialize(defs[method].requestSerialize(request));
  const handlerOf = (method: string) => runtime[method] ?? images[method];
  return {
    state,
    time,
    call(method, request) {
      const decoded = decode(method, request);
      const span = tracer.startSpan(`runtime.v1/${method}`, { kind: SpanKind.SERVER });
      return new Promise((done) => {
        context.with(trace.setSpan(ROOT_CONTEXT, span), () =>
          handlerOf(method)({ request: decoded }, () => {
            span.end();
            const ended = exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId) as ReadableSpan;
            done(ended.events.filter((e) => e.name !== 'message').map((e) => ({ name: e.name, attributes: e.attributes ?? {} })));
          }),
        );
      });
    },
    callUnsampled(method, request) {
      const decoded = decode(method, request);
      return new Promise((done) => {
        context.with(ROOT_CONTEXT, () => handlerOf(method)({ request: decoded }, () => done()));
      });
    },
  };
}

const names = (events: LogEvent[]): string[] => events.map((e) => e.name);

function podConfig(name: string, opts: { hostNetwork?: boolean; annotations?: Record<string, string> } = {}) {
  return {
    metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 },
    log_directory: `/var/log/pods/default_${name}_uid-${name}`,
    annotations: opts.annotations ?? {},
    linux: opts.hostNetwork ? { security_context: { namespace_options: { network: NAMESPACE_NODE } } } : {},
  };
}

function containerConfig(name: string, opts: { annotations?: Record<string, string>; logPath?: string } = {}) {
  return { metadata: { name, attempt: 0 }, image: { image: IMAGE }, log_path: opts.logPath ?? `${name}/0.log`, annotations: opts.annotations ?? {} };
}

/** A pod with the image pulled and `containers` created and (unless `start: false`) started. */
async function pod(node: Node, name: string, containers: Array<{ name: string; annotations?: Record<string, string>; start?: boolean }>, opts: { hostNetwork?: boolean } = {}) {
  const config = podConfig(name, opts);
  await node.call('PullImage', { image: { image: IMAGE } });
  await node.call('RunPodSandbox', { config });
  const sandboxId = node.state.listPodSandboxes().find((s) => s.metadata.name === name)!.id;
  const ids: string[] = [];
  for (const c of containers) {
    await node.call('CreateContainer', { pod_sandbox_id: sandboxId, config: containerConfig(c.name, { annotations: c.annotations }), sandbox_config: config });
    const id = node.state.listContainers({ podSandboxId: sandboxId }).find((v) => v.metadata.name === c.name)!.id;
    if (c.start !== false) await node.call('StartContainer', { container_id: id });
    ids.push(id);
  }
  return { sandboxId, ids, config };
}

before(() => provider.register());
after(() => provider.shutdown());
beforeEach(() => exporter.reset());

describe('containerd 1.6 log events', () => {
  describe('StopContainer', () => {
    it('logs the stop signal when a running container handles it within the timeout', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app' }]);
      assert.deepEqual(names(await node.call('StopContainer', { container_id: id, timeout: 10 })), [
        `StopContainer for "${id}" with timeout 10 (s)`,
        `Stop container "${id}" with signal terminated`,
        `StopContainer for "${id}" returns successfully`,
      ]);
    });

    it('adds the kill once the timeout passed for a container that ignores the signal', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app', annotations: { 'sim.cri.io/stop-grace': 'never' } }]);
      const stopping = node.call('StopContainer', { container_id: id, timeout: 2 });
      await node.time.advance(2000);
      assert.deepEqual(names(await stopping), [
        `StopContainer for "${id}" with timeout 2 (s)`,
        `Stop container "${id}" with signal terminated`,
        `Kill container "${id}"`,
        `StopContainer for "${id}" returns successfully`,
      ]);
    });

    it('skips the signal for a second graceful stop while the first is pending, and leaves the kill to the first', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app', annotations: { 'sim.cri.io/stop-grace': 'never' } }]);
      const first = node.call('StopContainer', { container_id: id, timeout: 2 });
      await node.time.advance(500);
      const second = node.call('StopContainer', { container_id: id, timeout: 2 });
      await node.time.advance(1500);
      await node.time.advance(500);
      assert.deepEqual(names(await first).slice(1, 3), [`Stop container "${id}" with signal terminated`, `Kill container "${id}"`]);
      assert.deepEqual(names(await second), [
        `StopContainer for "${id}" with timeout 2 (s)`,
        `Skipping the sending of signal terminated to container "${id}" because a prior stop with timeout>0 request already sent the signal`,
        `StopContainer for "${id}" returns successfully`,
      ]);
    });

    it('kills at once with timeout 0, and logs the state of a container that is not running', async () => {
      const node = newNode();
      const { ids: [running, created] } = await pod(node, 'web', [{ name: 'app' }, { name: 'late', start: false }]);
      assert.deepEqual(names(await node.call('StopContainer', { container_id: running, timeout: 0 }))[1], `Kill container "${running}"`);
      assert.deepEqual(names(await node.call('StopContainer', { container_id: running, timeout: 0 }))[1],
        `Container to stop "${running}" must be in running or unknown state, current state "CONTAINER_EXITED"`);
      assert.deepEqual(names(await node.call('StopContainer', { container_id: created, timeout: 30 }))[1],
        `Container to stop "${created}" must be in running or unknown state, current state "CONTAINER_CREATED"`);
    });

    it('warns, at level warning, when the image of a container without a stop signal is gone', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app' }]);
      await node.call('RemoveImage', { image: { image: IMAGE } });
      const events = await node.call('StopContainer', { container_id: id, timeout: 10 });
      assert.match(events[1].name, /^Image "sha256:[0-9a-f]{64}" not found, stop container with signal "SIGTERM"$/);
      assert.equal(events[1].attributes.level, 'warning');
      assert.equal(events[2].name, `Stop container "${id}" with signal terminated`);
    });

    it('remembers a graceful stop whose span was not recorded', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app', annotations: { 'sim.cri.io/stop-grace': 'never' } }]);
      const unsampled = node.callUnsampled('StopContainer', { container_id: id, timeout: 5 });
      const sampled = node.call('StopContainer', { container_id: id, timeout: 5 });
      await node.time.advance(5000);
      await unsampled;
      assert.match(names(await sampled)[1], /^Skipping the sending of signal terminated/);
    });
  });

  describe('RemoveContainer', () => {
    it('kills a running container first (the "Forcibly stopping" line has no context), and nothing more for an exited one', async () => {
      const node = newNode();
      const { ids: [running, other] } = await pod(node, 'web', [{ name: 'app' }, { name: 'side' }]);
      assert.deepEqual(names(await node.call('RemoveContainer', { container_id: running })), [
        `RemoveContainer for "${running}"`,
        `Kill container "${running}"`,
        `RemoveContainer for "${running}" returns successfully`,
      ]);
      await node.call('StopContainer', { container_id: other, timeout: 0 });
      assert.equal((await node.call('RemoveContainer', { container_id: other })).length, 2);
    });
  });

  describe('StopPodSandbox and RemovePodSandbox', () => {
    it('log one line per container in creation order, then the network teardown', async () => {
      const node = newNode();
      const { sandboxId, ids: [a, b, c] } = await pod(node, 'web', [{ name: 'a' }, { name: 'b', start: false }, { name: 'c' }]);
      await node.call('StopContainer', { container_id: c, timeout: 0 });
      assert.deepEqual(names(await node.call('StopPodSandbox', { pod_sandbox_id: sandboxId })), [
        `StopPodSandbox for "${sandboxId}"`,
        `Kill container "${a}"`,
        `Container to stop "${b}" must be in running or unknown state, current state "CONTAINER_CREATED"`,
        `Container to stop "${c}" must be in running or unknown state, current state "CONTAINER_EXITED"`,
        `TearDown network for sandbox "${sandboxId}" successfully`,
        `StopPodSandbox for "${sandboxId}" returns successfully`,
      ]);
      assert.deepEqual(names(await node.call('RemovePodSandbox', { pod_sandbox_id: sandboxId })), [
        `RemovePodSandbox for "${sandboxId}"`,
        `Container to stop "${a}" must be in running or unknown state, current state "CONTAINER_EXITED"`,
        `Container to stop "${b}" must be in running or unknown state, current state "CONTAINER_CREATED"`,
        `Container to stop "${c}" must be in running or unknown state, current state "CONTAINER_EXITED"`,
        `TearDown network for sandbox "${sandboxId}" successfully`,
        `RemovePodSandbox "${sandboxId}" returns successfully`,
      ]);
    });

    it('log the teardown line for a host-network sandbox too, and nothing for an unknown id', async () => {
      const node = newNode();
      const { sandboxId } = await pod(node, 'host', [], { hostNetwork: true });
      assert.equal(node.state.podSandboxStatus(sandboxId).hostNetwork, true);
      assert.deepEqual(names(await node.call('StopPodSandbox', { pod_sandbox_id: sandboxId }))[1], `TearDown network for sandbox "${sandboxId}" successfully`);
      assert.deepEqual(names(await node.call('StopPodSandbox', { pod_sandbox_id: 'gone' })), ['StopPodSandbox for "gone"', 'StopPodSandbox for "gone" returns successfully']);
    });
  });

  describe('RunPodSandbox', () => {
    it('logs the same lines for host and pod network (CNI lines are Debug)', async () => {
      const node = newNode();
      await node.call('PullImage', { image: { image: IMAGE } });
      const podNet = names(await node.call('RunPodSandbox', { config: podConfig('a') }));
      const hostNet = names(await node.call('RunPodSandbox', { config: podConfig('b', { hostNetwork: true }) }));
      assert.deepEqual([podNet.length, hostNet.length], [2, 2]);
      assert.match(hostNet[1], /^RunPodSandbox for &PodSandboxMetadata\{Name:b,Uid:uid-b,Namespace:default,Attempt:0,\} returns sandbox id "[0-9a-f]{64}"$/);
    });
  });

  describe('CreateContainer', () => {
    it('says logging is disabled when the container has no log path', async () => {
      const node = newNode();
      const { sandboxId, config } = await pod(node, 'web', []);
      const events = await node.call('CreateContainer', { pod_sandbox_id: sandboxId, config: containerConfig('quiet', { logPath: '' }), sandbox_config: config });
      assert.equal(events[1].name, `Logging will be disabled due to empty log paths for sandbox ("${config.log_directory}") or container ("")`);
      const logged = await node.call('CreateContainer', { pod_sandbox_id: sandboxId, config: containerConfig('loud'), sandbox_config: config });
      assert.equal(logged.length, 2);
    });
  });

  describe('PullImage', () => {
    it('logs the resolver\'s 404 with the registry host before the failure', async () => {
      const node = newNode();
      const annotations = { 'sim.cri.io/missing-images': 'nginx:nope,quay.io/org/app:v9' };
      const events = await node.call('PullImage', { image: { image: 'nginx:nope' }, sandbox_config: podConfig('web', { annotations }) });
      assert.deepEqual(events, [
        { name: 'PullImage "nginx:nope"', attributes: { level: 'info' } },
        { name: 'trying next host - response was http.StatusNotFound', attributes: { host: 'registry-1.docker.io', level: 'info' } },
        { name: 'PullImage "nginx:nope" failed', attributes: { error: '{}', level: 'error' } },
      ]);
      const quay = await node.call('PullImage', { image: { image: 'quay.io/org/app:v9' }, sandbox_config: podConfig('web', { annotations }) });
      assert.equal(quay[1].attributes.host, 'quay.io');
    });
  });

  describe('calls that only log failures', () => {
    it('logs ContainerStatus and ExecSync failures with the error field and nothing on success', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app' }]);
      assert.deepEqual(await node.call('ContainerStatus', { container_id: 'nope' }), [
        { name: 'ContainerStatus for "nope" failed', attributes: { error: '{}', level: 'error' } },
      ]);
      assert.deepEqual(await node.call('ContainerStatus', { container_id: id }), []);
      await node.call('StopContainer', { container_id: id, timeout: 0 });
      assert.deepEqual(names(await node.call('ExecSync', { container_id: id, cmd: ['true'], timeout: 1 })), [`ExecSync for "${id}" failed`]);
    });

    it('UpdateRuntimeConfig: a pod CIDR without a CNI template logs the wait line; a bad one fails', async () => {
      const node = newNode();
      assert.deepEqual(names(await node.call('UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: '10.88.0.0/16' } } })),
        ['No cni config template is specified, wait for other system components to drop the config.']);
      assert.deepEqual(names(await node.call('UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: 'bad' } } })), ['UpdateRuntimeConfig failed']);
      assert.deepEqual(names(await node.call('UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: '' } } })), []);
    });
  });

  describe('UpdateContainerResources', () => {
    it('prints the resources as gogo-protobuf String() does', async () => {
      const node = newNode();
      const { ids: [id] } = await pod(node, 'web', [{ name: 'app' }]);
      const events = await node.call('UpdateContainerResources', { container_id: id, linux: { cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: 268435456, unified: { 'memory.high': '200M' } } });
      assert.equal(events[0].name, `UpdateContainerResources for "${id}" with Linux: &LinuxContainerResources{CpuPeriod:100000,CpuQuota:50000,CpuShares:512,MemoryLimitInBytes:268435456,OomScoreAdj:0,CpusetCpus:,CpusetMems:,HugepageLimits:[]*HugepageLimit{},Unified:map[string]string{memory.high: 200M,},MemorySwapLimitInBytes:0,} / Windows: nil`);
      assert.equal(events[1].name, `UpdateContainerResources for "${id}" returns successfully`);
    });
  });
});
