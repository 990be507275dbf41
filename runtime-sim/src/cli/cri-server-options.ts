import type { CriServerOptions } from '../server/cri-server';
import type { ContainerLogWriter } from '../state/container-log-writer';
import type { RuntimeSimArgs } from './runtime-sim-args';

/**
 * The CRI server options the command line asks for (persona, model, streams, events, state directory),
 * for the runtime on `listen` with `seed`; `stateDir` overrides --state-dir (a fleet gives each node its own).
 * Only `import type` of the server module: the caller loads it after tracing is set up.
 */
export function criServerOptions(
  args: RuntimeSimArgs,
  node: { listen: string; seed: number; stateDir: string | undefined },
  deps: { say: (line: string) => void; containerLogWriter: ContainerLogWriter },
): CriServerOptions {
  return {
    listen: node.listen,
    persona: args.persona,
    spec: args.spec,
    seed: node.seed,
    model: args.model,
    stream: { host: args.streamAddress, port: args.streamPort },
    stateDir: node.stateDir,
    onStateError: (err) => deps.say(err.message),
    onNotice: deps.say,
    enablePodEvents: args.enablePodEvents,
    // Container logs go to real files, so the kubelet and `crictl logs` can read them.
    state: {
      containerLogWriter: deps.containerLogWriter,
      ...(args.imageCatalog === undefined ? {} : { imageCatalog: args.imageCatalog }),
      onNotice: deps.say,
    },
  };
}
