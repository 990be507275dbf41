/**
 * Exec, Attach, PortForward and GetContainerEvents over the stream server and the event hub.
 *
 * RPC-time checks per runtime:
 *  - CRI-O (server/container_exec.go, container_attach.go, container_portforward.go): the stream
 *    server's request validation only; the container/sandbox is looked up when the client connects.
 *    Exec wraps the validation error ("unable to prepare exec endpoint: %w", so the code survives);
 *    Attach and PortForward replace it with a plain error (UNKNOWN).
 *  - containerd (internal/cri/server/container_exec.go, container_attach.go, sandbox_portforward.go):
 *    the container must exist and be RUNNING (the sandbox READY) before a URL is handed out.
 */
import type * as grpcJs from '@grpc/grpc-js';
import type * as cri from '../../../cri-proto/src/types';
import { EVENT_DELIVERY, type ContainerEvent, type ContainerEventHub } from '../state/container-events';
import { CriError, GRPC_STATUS, grpcStatusName, isCriError } from '../state/cri-error';
import type { RuntimeState } from '../state/runtime-state';
import { CONTAINER_STATE, SANDBOX_STATE } from '../state/types';
import type { StreamServer } from '../streaming/stream-server';
import { nsToWire, toContainerStatus, toPodSandboxStatus } from './cri-mapping';
import { createHandlerContext, unaryHandler, type HandlerOptions } from './handler-kit';

/** grpc-go's text for a status error, as it appears inside a wrapping message. */
function statusErrorText(err: CriError): string {
  const name = grpcStatusName(err.code)
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _u: string, c: string) => c.toUpperCase());
  return `rpc error: code = ${name} desc = ${err.message}`;
}

/** CRI-O Exec: fmt.Errorf("unable to prepare exec endpoint: %w", err) keeps the wrapped status code. */
function crioWrapExec(err: unknown): never {
  if (isCriError(err)) throw new CriError(err.code, `unable to prepare exec endpoint: ${statusErrorText(err)}`);
  throw err;
}

/** containerd: the lookup error of the container store, wrapped as each RPC wraps it. */
function containerdContainer(state: RuntimeState, id: string, wrap: (reason: string) => string): void {
  let view;
  try {
    view = state.containerStatus(id);
  } catch (err) {
    if (!isCriError(err)) throw err;
    const at = err.message.lastIndexOf(': ');
    throw new CriError(err.code, wrap(at === -1 ? err.message : err.message.slice(at + 2)));
  }
  if (view.state !== CONTAINER_STATE.RUNNING) throw new CriError(GRPC_STATUS.UNKNOWN, `container is in ${view.state} state`);
}

export function toContainerEventResponse(e: ContainerEvent): cri.ContainerEventResponse {
  return {
    container_id: e.containerId,
    container_event_type: e.type,
    created_at: nsToWire(e.createdAtNs),
    pod_sandbox_status: e.podSandbox === null ? null : toPodSandboxStatus(e.podSandbox),
    containers_statuses: e.containers.map(toContainerStatus),
  };
}

export interface StreamingHandlerDeps {
  readonly state: RuntimeState;
  readonly stream: StreamServer;
  readonly events: ContainerEventHub;
  readonly options?: HandlerOptions;
}

export function createStreamingHandlers(deps: StreamingHandlerDeps): grpcJs.UntypedServiceImplementation {
  const { state, stream, events } = deps;
  const ctx = createHandlerContext(state, deps.options);
  const crio = state.persona === 'crio';

  const Exec = unaryHandler<cri.ExecRequest__Output, cri.ExecResponse>(ctx, 'Exec', (req) => {
    const r = { containerId: req.container_id, cmd: req.cmd, tty: req.tty, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr };
    if (crio) {
      try {
        return { response: { url: stream.getExec(r) } };
      } catch (err) {
        crioWrapExec(err);
      }
    }
    containerdContainer(state, req.container_id, (reason) => `failed to find container "${req.container_id}" in store: ${reason}`);
    return { response: { url: stream.getExec(r) } };
  });

  const Attach = unaryHandler<cri.AttachRequest__Output, cri.AttachResponse>(ctx, 'Attach', (req) => {
    const r = { containerId: req.container_id, tty: req.tty, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr };
    if (crio) {
      try {
        return { response: { url: stream.getAttach(r) } };
      } catch {
        throw new CriError(GRPC_STATUS.UNKNOWN, 'unable to prepare attach endpoint');
      }
    }
    containerdContainer(state, req.container_id, (reason) => `failed to find container in store: ${reason}`);
    return { response: { url: stream.getAttach(r) } };
  });

  const PortForward = unaryHandler<cri.PortForwardRequest__Output, cri.PortForwardResponse>(ctx, 'PortForward', (req) => {
    const r = { podSandboxId: req.pod_sandbox_id, ports: req.port };
    if (crio) {
      try {
        return { response: { url: stream.getPortForward(r) } };
      } catch {
        throw new CriError(GRPC_STATUS.UNKNOWN, 'unable to prepare portforward endpoint');
      }
    }
    let sandbox;
    try {
      sandbox = state.podSandboxStatus(req.pod_sandbox_id);
    } catch (err) {
      if (!isCriError(err)) throw err;
      const at = err.message.lastIndexOf(': ');
      throw new CriError(err.code, `failed to find sandbox "${req.pod_sandbox_id}": ${at === -1 ? err.message : err.message.slice(at + 2)}`);
    }
    if (sandbox.state !== SANDBOX_STATE.READY) throw new CriError(GRPC_STATUS.UNKNOWN, 'sandbox container is not running');
    return { response: { url: stream.getPortForward(r) } };
  });

  const GetContainerEvents: grpcJs.handleServerStreamingCall<cri.GetEventsRequest__Output, cri.ContainerEventResponse> = (call) => {
    const limit = EVENT_DELIVERY[state.persona].subscriberBuffer;
    let unsubscribe: (() => void) | null = null;
    let backlog = 0;
    let ended = false;
    const endWith = (status?: { code: number; details: string }): void => {
      if (ended) return;
      ended = true;
      unsubscribe?.();
      if (status === undefined) call.end();
      else call.emit('error', Object.assign(new Error(status.details), status));
    };
    unsubscribe = events.subscribe({
      deliver(event) {
        if (ended) return;
        if (!call.write(toContainerEventResponse(event))) backlog++;
        // The real queue blocks the runtime on a stalled reader; the simulator cannot, so a
        // subscriber that stops reading is ended and must resubscribe (and relist).
        if (backlog > limit) {
          endWith({ code: GRPC_STATUS.RESOURCE_EXHAUSTED, details: `runtime-sim: container event subscriber fell more than ${limit} events behind; resubscribe and relist` });
        }
      },
      end() {
        endWith(crio ? undefined : { code: GRPC_STATUS.UNAVAILABLE, details: EVENT_DELIVERY.containerd.closedByServer });
      },
    });
    if (unsubscribe === null) {
      // CRI-O with enable_pod_events = false returns at once with OK and no events.
      endWith(events.enabled || crio ? undefined : { code: GRPC_STATUS.UNAVAILABLE, details: EVENT_DELIVERY.containerd.closedByServer });
      return;
    }
    call.on('drain', () => {
      backlog = 0;
    });
    call.on('cancelled', () => {
      ended = true;
      unsubscribe?.();
    });
    call.on('close', () => {
      ended = true;
      unsubscribe?.();
    });
  };

  return { Exec, Attach, PortForward, GetContainerEvents } as unknown as grpcJs.UntypedServiceImplementation;
}
