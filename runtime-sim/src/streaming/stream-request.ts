/** What a Exec/Attach/PortForward call leaves in the request cache for the stream server to serve. */
export interface ExecStreamRequest {
  readonly kind: 'exec';
  readonly containerId: string;
  readonly cmd: readonly string[];
  readonly tty: boolean;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}
export interface AttachStreamRequest {
  readonly kind: 'attach';
  readonly containerId: string;
  readonly tty: boolean;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}
export interface PortForwardStreamRequest {
  readonly kind: 'portforward';
  readonly podSandboxId: string;
  readonly ports: readonly number[];
}
export type StreamRequest = ExecStreamRequest | AttachStreamRequest | PortForwardStreamRequest;
