/**
 * `runtime-sim --nodes N`: the runtimes of N simulated nodes in one process, for `kubelet-sim --nodes N`.
 * Each node has its own CRI socket (--listen with `{node}` replaced by the node name), runtime state (ids
 * drawn from --seed plus the node's index), stream server, event hub, state directory (--state-dir/<node>)
 * and OpenTelemetry resource (`host.name=<node>`); its SERVER spans and the persona's span layers under
 * them go to its own provider, because each call on its socket is handled in its node scope (a server
 * interceptor, cri-proto node-scope-server-interceptor.ts; routing in fleet-tracing.ts).
 * Shared: the process, the loaded proto definitions and persona data, and one OTLP channel.
 */
import { join } from 'node:path';
import { endpointForNode, onShutdownSignals, watchParent } from '../../../cli-kit/src';
import type { FleetTracing, NodeTracing } from '../../../cri-proto/src/tracing/fleet-tracing';
import { startFleetTracing } from '../../../cri-proto/src/tracing/fleet-tracing';
import { createNodeScopeServerInterceptor } from '../../../cri-proto/src/tracing/node-scope-server-interceptor';
import { criServerOptions } from '../cli/cri-server-options';
import type { RuntimeSimArgs } from '../cli/runtime-sim-args';
import type { CriServer } from '../server/cri-server';
import type { ContainerLogWriter } from '../state/container-log-writer';
import type { RuntimeTracingPlan } from '../tracing/runtime-tracing';
import { runtimeFleetTracingOptions, runtimeNodeTracingOptions } from '../tracing/runtime-tracing';

export async function runRuntimeFleet(
  args: RuntimeSimArgs,
  nodeNames: readonly string[],
  plan: RuntimeTracingPlan,
  deps: { say: (line: string) => void; containerLogWriter: ContainerLogWriter },
): Promise<number> {
  const { say } = deps;
  const tracing: FleetTracing | undefined = plan.enabled ? await startFleetTracing(runtimeFleetTracingOptions(plan.options)) : undefined;
  // Loaded only now: the server module loads @grpc/grpc-js, which the instrumentation must patch first.
  const { startCriServer } = await import('../server/cri-server');

  const servers: { name: string; server: CriServer; tracing: NodeTracing | undefined }[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(servers.map(({ server }) => server.close()));
    await tracing?.shutdown();
  };
  // Seeds follow the node's number, so the shards of one fleet (--first-node-number) differ as its nodes do.
  const firstNodeNumber = args.fleet?.firstNodeNumber ?? 1;
  for (const [i, name] of nodeNames.entries()) {
    const listen = endpointForNode(args.listen, name);
    const nodeTracing = plan.enabled ? await tracing!.addNode(runtimeNodeTracingOptions(plan.options, name)) : undefined;
    const options = criServerOptions(args, { listen, seed: args.seed + firstNodeNumber - 1 + i, stateDir: args.stateDir === undefined ? undefined : join(args.stateDir, name) }, {
      say: (line) => say(`node=${name} ${line}`),
      containerLogWriter: deps.containerLogWriter,
    });
    try {
      // Each call on this node's socket is handled in the node's scope: its spans belong to this node.
      const scope = nodeTracing?.provider;
      const server = await startCriServer(scope === undefined ? options : { ...options, interceptors: (grpc) => [createNodeScopeServerInterceptor(grpc, scope)] });
      servers.push({ name, server, tracing: nodeTracing });
    } catch (err) {
      const what = (err as Error).name === 'StateFileError' ? '--state-dir' : `cannot serve CRI on ${listen} (--listen)`;
      say(`node=${name} ${what}: ${(err as Error).message}`);
      await closeAll();
      return 1;
    }
  }
  if (args.model !== undefined) say(`model=${args.model.source} rules=${args.model.rules.length} seed=${args.seed}+node index`);
  say(`persona=${args.persona} version=${args.spec.version} (${args.spec.runtimeVersion}) serving CRI v1 for ${nodeNames.length} nodes on ${args.listen} ` +
    `(${nodeNames[0]} … ${nodeNames[nodeNames.length - 1]}) ` + (plan.enabled ? plan.description : `tracing=off (${plan.reason})`));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: shutting down ${servers.length} nodes`);
      await closeAll();
      for (const { name, server, tracing: t } of servers) {
        const s = t?.exportStats;
        say(`node=${name} sandboxes=${server.state.listPodSandboxes().length} containers=${server.state.listContainers().length}` + (s ? ` spansExported=${s.exportedSpans} spansLost=${s.failedSpans}` : ''));
      }
      const s = tracing?.exportStats;
      say(`fleet nodes=${servers.length}` + (s ? ` spansExported=${s.exportedSpans} spansLost=${s.failedSpans} spansDropped=${tracing!.droppedSpans() ?? 0} unscopedSpans=${tracing!.unscopedSpans()}` : ' tracing=off'));
      resolve(0);
    };
    // A second signal exits at once with status 1 (cli-kit shutdown-signals).
    onShutdownSignals({ onFirst: (signal) => void stop(signal), say });
    watchParent({ onParentGone: (pid) => void stop(`parent process ${pid} exited`) });
  });
}
