/**
 * What the stream server runs once a client connects: the streaming.Runtime of each runtime
 * (CRI-O server/container_exec.go, container_attach.go, container_portforward.go StreamService;
 * containerd internal/cri/server/streaming.go streamRuntime) over the simulated state. Commands come
 * from the shared exec model (../model/exec-result.ts); nothing is executed and no connection is
 * ever opened: port forwarding always fails with a message saying pod networking is simulated.
 */
import { execOutcome } from '../model/exec-result';
import { EXEC_WITHOUT_TIMEOUT_LIMIT_NS } from '../state/runtime-state';
import { CONTAINER_EVENT_TYPE } from '../state/container-events';
import { isCriError } from '../state/cri-error';
import type { RuntimeState } from '../state/runtime-state';
import { CONTAINER_STATE, SANDBOX_STATE, type ContainerView } from '../state/types';

export type StreamExecResult =
  | {
      readonly kind: 'exited';
      readonly exitCode: number;
      readonly stdout: Buffer;
      readonly stderr: Buffer;
      /** The runtime's ExitError text for a non-zero exit (goes into the status message). */
      readonly exitErrorText: string;
      readonly durationNs: bigint;
    }
  /** The runtime call failed (written as an InternalError status). */
  | { readonly kind: 'failed'; readonly message: string };

export interface StreamRuntime {
  exec(containerId: string, cmd: readonly string[]): StreamExecResult;
  /** Resolves with null when the attached container stops, or an error text if it cannot be attached. */
  attach(containerId: string, signal: AbortSignal): Promise<string | null>;
  /** Always an error text: the simulator has no pod network to connect to. */
  portForward(podSandboxId: string, port: number): string;
}

/** Go's error text for a gRPC status error (grpc-go status.Error). */
function grpcErrorText(codeName: string, message: string): string {
  return `rpc error: code = ${codeName} desc = ${message}`;
}

/** The truncindex/store reason at the end of a containerd lookup error ("... : not found"). */
function containerdLookupReason(message: string): string {
  const at = message.lastIndexOf(': ');
  return at === -1 ? message : message.slice(at + 2);
}

/** Shown on the port's error channel; never connects anywhere. */
export function simulatedNetworkMessage(sandboxId: string, port: number): string {
  return `runtime-sim: pod networking is simulated, so nothing listens on port ${port} in sandbox ${sandboxId}; no connection was made`;
}

export function createSimulatedStreamRuntime(state: RuntimeState): StreamRuntime {
  const persona = state.persona;

  /** The container, or the error text the runtime's stream handler reports for it. */
  const findContainer = (containerId: string, what: 'exec' | 'attach'): ContainerView | string => {
    let view: ContainerView;
    try {
      view = state.containerStatus(containerId);
    } catch (err) {
      if (!isCriError(err)) throw err;
      if (persona === 'crio') return grpcErrorText('NotFound', err.message); // status.Errorf(codes.NotFound, ...)
      const reason = containerdLookupReason(err.message);
      return what === 'exec'
        ? `failed to exec in container: failed to find container "${containerId}" in store: ${reason}`
        : `failed to find container "${containerId}" in store: ${reason}`;
    }
    if (persona === 'crio') {
      if (view.state !== CONTAINER_STATE.RUNNING && view.state !== CONTAINER_STATE.CREATED) return 'container is not created or running';
    } else if (view.state !== CONTAINER_STATE.RUNNING) {
      const text = `container is in ${view.state} state`;
      return what === 'exec' ? `failed to exec in container: ${text}` : text;
    }
    return view;
  };

  return {
    exec(containerId, cmd) {
      const found = findContainer(containerId, 'exec');
      if (typeof found === 'string') return { kind: 'failed', message: found };
      const sandbox = state.peekSandbox(found.podSandboxId);
      let outcome;
      try {
        outcome = execOutcome(cmd, {
          sandboxAnnotations: sandbox?.annotations ?? {},
          containerAnnotations: found.annotations,
          containerName: found.metadata.name,
          environment: state.execEnvironmentOf(found.id)!,
          nowNs: state.nowNs(),
          limitNs: EXEC_WITHOUT_TIMEOUT_LIMIT_NS,
        });
      } catch (err) {
        return { kind: 'failed', message: (err as Error).message };
      }
      if (outcome.kind === 'not-found') {
        // runc's text for a missing binary; containerd wraps it as its exec start failure (UNVERIFIED
        // wording of the CRI-O/conmon path, which reports the runtime's error as is).
        const runc = `OCI runtime exec failed: exec failed: unable to start container process: exec: "${outcome.program}": executable file not found in $PATH: unknown`;
        return { kind: 'failed', message: persona === 'containerd' ? `failed to exec in container: failed to start exec: ${runc}` : runc };
      }
      const exitErrorText =
        persona === 'containerd'
          ? `error executing command [${cmd.join(' ')}], exit code ${outcome.exitCode}` // streaming.go CodeExitError
          : `exit status ${outcome.exitCode}`; // os/exec ExitError via utilexec.ExitErrorWrapper
      return {
        kind: 'exited',
        exitCode: outcome.exitCode,
        stdout: Buffer.from(outcome.stdout),
        stderr: Buffer.from(outcome.stderr),
        exitErrorText,
        durationNs: outcome.durationNs,
      };
    },

    attach(containerId, signal) {
      const found = findContainer(containerId, 'attach');
      if (typeof found === 'string') return Promise.resolve(found);
      return new Promise<string | null>((resolve) => {
        let unsubscribe: () => void = () => undefined;
        const finish = (): void => {
          unsubscribe();
          signal.removeEventListener('abort', finish);
          resolve(null);
        };
        unsubscribe = state.onTransition((t) => {
          if (t.containerId !== found.id) return;
          if (t.type === CONTAINER_EVENT_TYPE.STOPPED || t.type === CONTAINER_EVENT_TYPE.DELETED) finish();
        });
        if (signal.aborted) finish();
        else signal.addEventListener('abort', finish, { once: true });
      });
    },

    portForward(podSandboxId, port) {
      const sandbox = state.listPodSandboxes({ id: podSandboxId })[0];
      if (sandbox === undefined) {
        return persona === 'containerd'
          ? `failed to find sandbox "${podSandboxId}" in store: not found`
          : `PodSandbox with ID starting with ${podSandboxId} not found: ID does not exist`;
      }
      if (persona === 'containerd' && (port <= 0 || port > 65535)) return `invalid port ${port}`;
      if (sandbox.state !== SANDBOX_STATE.READY) return `sandbox ${sandbox.id} is not running`;
      return simulatedNetworkMessage(sandbox.id, port);
    },
  };
}
