/**
 * The root traces a runtime makes on its own, beside the CRI traces: when a container or sandbox changes
 * state (created, started, exited, deleted: RuntimeState.onTransition), the persona's
 * `functionSpans.background` trees for that transition are played, each top-level span the root of a new
 * trace (no CRI call is its parent; the provider's sampler decides as for any root). containerd 2.x: the
 * shim's events forwarded to containerd's ttrpc server, NRI's task lookups, the exit handler's task.Delete,
 * and task.Wait spanning the container's life. Spans are laid one after another from the moment the
 * transition is seen, each over its share (`weight` × BACKGROUND_UNIT_NS); a `startsAt: containerStart`
 * span covers the container's life up to that moment instead.
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { simulatedPid } from '../server/runtime-service-handlers';
import { CONTAINER_EVENT_TYPE, type ContainerTransition } from '../state/container-events';
import type { RuntimeState } from '../state/runtime-state';
import type { CallFacts } from '../personas/call-facts';
import type { FunctionSpanLayer, LogHookLayer } from '../personas/persona-version-spec';
import { planSteps, TreePlayer, unitsOfSpan } from './span-tree-player';

/**
 * Time one unit of `weight` stands for in a background tree: the persona's weights are the durations seen on
 * a real runtime in tenths of a millisecond (containerd-2.1.yaml), so a unit is 100 µs.
 */
export const BACKGROUND_UNIT_NS = 100_000n;

/** Subscribes the persona's background trees to `state`'s transitions; returns the unsubscribe function. */
export function startBackgroundTraces(layer: FunctionSpanLayer, hook: LogHookLayer | undefined, state: RuntimeState, nowNs: () => bigint): () => void {
  if (Object.keys(layer.background).length === 0) return () => undefined;
  const player = new TreePlayer(layer.tracer, hook);
  return state.onTransition((transition) => {
    const steps = layer.background[transition.type];
    if (steps === undefined) return;
    const facts = transitionFacts(transition, state);
    const now = nowNs();
    let cursor = now;
    for (const step of planSteps(steps, facts, {})) {
      if (step.kind !== 'span') continue;
      const lifeNs = typeof facts.lifeNs === 'string' ? BigInt(facts.lifeNs) : 0n;
      if (step.step.startsAt === 'containerStart') {
        player.layOut([step], undefined, ROOT_CONTEXT, now - lifeNs, now);
        continue;
      }
      const to = cursor + unitsOfSpan(step) * BACKGROUND_UNIT_NS;
      player.layOut([step], undefined, ROOT_CONTEXT, cursor, to);
      cursor = to;
    }
  });
}

/** Facts a background tree may print or test: the ids, pids, and for an exit how long the task lived (bigint as text). */
function transitionFacts(t: ContainerTransition, state: RuntimeState): CallFacts {
  const sandboxContainer = t.containerId === t.sandboxId;
  const facts: CallFacts = {
    containerId: t.containerId,
    sandboxId: t.sandboxId,
    sandboxContainer,
    containerPid: simulatedPid(t.containerId),
    // containerd records the uint32 pid with tracing.Attribute, which makes it a string.
    sandboxPid: String(simulatedPid(t.sandboxId)),
  };
  if (t.type === CONTAINER_EVENT_TYPE.STOPPED) {
    let startedNs: bigint | undefined;
    if (sandboxContainer) {
      startedNs = state.peekSandbox(t.sandboxId)?.createdAtNs;
    } else {
      startedNs = state.peekContainers().find((c) => c.id === t.containerId)?.startedAtNs;
    }
    if (startedNs !== undefined && startedNs > 0n && t.atNs > startedNs) facts.lifeNs = String(t.atNs - startedNs);
  }
  return facts;
}
