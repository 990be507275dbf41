/**
 * The session core of the stream server, the part of k8s.io/kubelet pkg/cri/streaming that is the
 * same whatever the framing: remotecommand exec.go / attach.go (run, then one status) and the
 * portforward error text. The websocket framing (./stream-server.ts) and the SPDY framing
 * (./spdy-session.ts) each give it a RemoteCommandSession.
 */
import { internalErrorStatus, nonZeroExitStatus, successStatus, type RemoteCommandStatus } from '../../../cri-proto/src/streaming/remote-command-protocol';
import type { StreamRuntime } from './simulated-stream-runtime';
import type { AttachStreamRequest, ExecStreamRequest, PortForwardStreamRequest } from './stream-request';

/** What one exec/attach session writes, whatever the framing. */
export interface RemoteCommandSession {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Writes the final status as the protocol encodes it and ends the session. */
  finish(status: RemoteCommandStatus): void;
  /** Aborts when the client goes away. */
  readonly gone: AbortSignal;
}

export class StreamSessionCore {
  constructor(
    private readonly runtime: StreamRuntime,
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>,
    /** Aborted when the stream server shuts down. */
    private readonly shutdown: AbortSignal,
  ) {}

  async runExec(session: RemoteCommandSession, r: ExecStreamRequest): Promise<void> {
    const result = this.runtime.exec(r.containerId, r.cmd);
    if (result.kind === 'failed') {
      session.finish(internalErrorStatus(`error executing command in container: ${result.message}`));
      return;
    }
    if (result.durationNs > 0n) await this.sleep(Number(result.durationNs / 1_000_000n), this.shutdown);
    if (r.stdout && result.stdout.length > 0) session.stdout(result.stdout);
    if (result.stderr.length > 0) {
      // With a TTY both streams share the terminal, so stderr text arrives on stdout.
      if (r.tty && r.stdout) session.stdout(result.stderr);
      else if (r.stderr) session.stderr(result.stderr);
    }
    session.finish(result.exitCode === 0 ? successStatus() : nonZeroExitStatus(result.exitCode, result.exitErrorText));
  }

  async runAttach(session: RemoteCommandSession, r: AttachStreamRequest): Promise<void> {
    const ended = new AbortController();
    const onAbort = (): void => ended.abort();
    this.shutdown.addEventListener('abort', onAbort, { once: true });
    session.gone.addEventListener('abort', onAbort, { once: true });
    try {
      // Like containerd's attach (no historical output), the session shows what the process prints
      // from now on, which for a simulated process is nothing, until it exits.
      const error = await this.runtime.attach(r.containerId, ended.signal);
      if (ended.signal.aborted && error === null) return;
      session.finish(error === null ? successStatus() : internalErrorStatus(`error attaching to container: ${error}`));
    } finally {
      this.shutdown.removeEventListener('abort', onAbort);
      session.gone.removeEventListener('abort', onAbort);
    }
  }

  /** portforward httpstream.go / websocket.go portForward: the text written on the port's error stream. */
  portForwardError(r: PortForwardStreamRequest, port: number): string {
    return `error forwarding port ${port} to pod ${r.podSandboxId}, uid : ${this.runtime.portForward(r.podSandboxId, port)}`;
  }
}
