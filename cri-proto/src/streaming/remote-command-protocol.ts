/**
 * Wire vocabulary of the CRI stream server's websocket protocols, as served by the streaming library
 * CRI-O 1.33 and containerd 2.1 embed (k8s.io/kubelet pkg/cri/streaming, Kubernetes <= 1.35):
 *  - remotecommand/websocket.go: exec/attach subprotocols and channel numbers;
 *  - portforward/websocket.go: port-forward subprotocols, a data and an error channel per port;
 *  - apimachinery httpstream/wsstream/conn.go: each message starts with its channel number, as a
 *    byte (binary protocols) or as an ASCII digit followed by base64 data (base64 protocols);
 *  - remotecommand/exec.go and attach.go: the metav1.Status written on the error channel.
 * That library does not serve `v5.channel.k8s.io` (its websocket.go registers up to v4; the v5
 * close signal arrived with k8s.io/cri-streaming in 1.36), so a v5-only client is refused.
 */

/** Channel numbers of remotecommand/websocket.go (POSIX fds for the first three). */
export const REMOTE_COMMAND_CHANNEL = {
  STDIN: 0,
  STDOUT: 1,
  STDERR: 2,
  ERROR: 3,
  RESIZE: 4,
} as const;

export interface ChannelProtocol {
  /** Binary frames with a channel byte, or text frames with a channel digit and base64 data. */
  readonly binary: boolean;
  /** Status JSON (v4) on the error channel, or the plain error text on failure only (pre-v4). */
  readonly v4Status: boolean;
}

/**
 * Exec/attach subprotocols (remotecommand/websocket.go createWebSocketStreams). The empty name is
 * what a client that offers no Sec-WebSocket-Protocol gets (wsstream handshake).
 */
export const REMOTE_COMMAND_WEBSOCKET_PROTOCOLS: Readonly<Record<string, ChannelProtocol>> = {
  '': { binary: true, v4Status: false },
  'channel.k8s.io': { binary: true, v4Status: false },
  'base64.channel.k8s.io': { binary: false, v4Status: false },
  'v4.channel.k8s.io': { binary: true, v4Status: true },
  'v4.base64.channel.k8s.io': { binary: false, v4Status: true },
};

/** Port-forward subprotocols (portforward/websocket.go handleWebSocketStreams). */
export const PORT_FORWARD_WEBSOCKET_PROTOCOLS: Readonly<Record<string, ChannelProtocol>> = {
  '': { binary: true, v4Status: true },
  'v4.channel.k8s.io': { binary: true, v4Status: true },
  'v4.base64.channel.k8s.io': { binary: false, v4Status: true },
};

/** The request header carrying the SPDY protocol candidates (apimachinery httpstream.HeaderProtocolVersion). */
export const SPDY_PROTOCOL_HEADER = 'x-stream-protocol-version';
/** Sent with a 403 when nothing could be negotiated (httpstream.HeaderAcceptedProtocolVersions). */
export const SPDY_ACCEPTED_PROTOCOLS_HEADER = 'X-Accepted-Stream-Protocol-Versions';

export interface SpdyRemoteCommandProtocol {
  /** The error stream carries the whole Status JSON (v4) or only a failure's text (v1-v3). */
  readonly v4Status: boolean;
  /** A tty session opens a resize stream (v3+: protocolHandler supportsTerminalResizing). */
  readonly resize: boolean;
  /**
   * v1 only (kept from 1.0 kubelets): once the streams are there the error stream is reset and the
   * server's half of stdin closed, so a v1 client never receives an error text.
   */
  readonly resetErrorStreamOnStart: boolean;
}

/**
 * Exec/attach over SPDY, in the server's preference order (apimachinery util/remotecommand
 * constants.go SupportedStreamingProtocols; kubelet cri/streaming remotecommand/httpstream.go
 * v4/v3/v2/v1ProtocolHandler).
 */
export const REMOTE_COMMAND_SPDY_PROTOCOLS: ReadonlyArray<readonly [string, SpdyRemoteCommandProtocol]> = [
  ['v4.channel.k8s.io', { v4Status: true, resize: true, resetErrorStreamOnStart: false }],
  ['v3.channel.k8s.io', { v4Status: false, resize: true, resetErrorStreamOnStart: false }],
  ['v2.channel.k8s.io', { v4Status: false, resize: false, resetErrorStreamOnStart: false }],
  ['channel.k8s.io', { v4Status: false, resize: false, resetErrorStreamOnStart: true }],
];

/** Port-forward over SPDY (apimachinery portforward constants.go PortForwardProtocolV1Name). */
export const PORT_FORWARD_SPDY_PROTOCOLS: readonly string[] = ['portforward.k8s.io'];

/** Stream headers and types (k8s.io/api core/v1 types.go StreamType*, PortHeader, PortForwardRequestIDHeader). */
export const SPDY_STREAM_HEADER = { STREAM_TYPE: 'streamType', PORT: 'port', REQUEST_ID: 'requestID' } as const;
export const SPDY_STREAM_TYPE = {
  ERROR: 'error',
  STDIN: 'stdin',
  STDOUT: 'stdout',
  STDERR: 'stderr',
  RESIZE: 'resize',
  DATA: 'data',
} as const;

/** metav1.Status reasons and cause types of apimachinery util/remotecommand constants.go. */
export const STATUS_REASON = {
  NON_ZERO_EXIT_CODE: 'NonZeroExitCode',
  EXIT_CODE_CAUSE: 'ExitCode',
  INTERNAL_ERROR: 'InternalError',
} as const;

/**
 * A metav1.Status as encoding/json writes it: fields in struct order (metadata, status, message,
 * reason, details, code), empty ones omitted, metadata always present.
 */
export interface RemoteCommandStatus {
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes: readonly { readonly reason?: string; readonly message?: string }[] };
  readonly code?: number;
}

export function successStatus(): RemoteCommandStatus {
  return { status: 'Success' };
}

/** exec.go: the command ran and exited non-zero. `exitErrorText` is the runtime's ExitError text. */
export function nonZeroExitStatus(exitCode: number, exitErrorText: string): RemoteCommandStatus {
  return {
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${exitErrorText}`,
    reason: STATUS_REASON.NON_ZERO_EXIT_CODE,
    details: { causes: [{ reason: STATUS_REASON.EXIT_CODE_CAUSE, message: String(exitCode) }] },
  };
}

/** apierrors.NewInternalError(err), as exec.go / attach.go write it when the runtime call failed. */
export function internalErrorStatus(errorText: string): RemoteCommandStatus {
  return {
    status: 'Failure',
    message: `Internal error occurred: ${errorText}`,
    reason: STATUS_REASON.INTERNAL_ERROR,
    details: { causes: [{ message: errorText }] },
    code: 500,
  };
}

/**
 * The bytes written on the error channel: v4 marshals the whole Status; pre-v4 writes nothing on
 * success and the StatusError text (its message) on failure (httpstream.go v1WriteStatusFunc).
 */
export function encodeStatus(status: RemoteCommandStatus, v4: boolean): Buffer | null {
  if (!v4) return status.status === 'Success' ? null : Buffer.from(status.message ?? '');
  const ordered: Record<string, unknown> = { metadata: {}, status: status.status };
  if (status.message !== undefined) ordered.message = status.message;
  if (status.reason !== undefined) ordered.reason = status.reason;
  if (status.details !== undefined) ordered.details = status.details;
  if (status.code !== undefined) ordered.code = status.code;
  return Buffer.from(JSON.stringify(ordered));
}

/** wsstream/conn.go write(): one frame on `channel`. */
export function encodeFrame(channel: number, data: Buffer, binary: boolean): Buffer | string {
  if (binary) return Buffer.concat([Buffer.from([channel]), data]);
  return String.fromCharCode(48 + channel) + data.toString('base64');
}

/** wsstream/conn.go handle(): the channel and payload of a received frame, or null for an empty one. */
export function decodeFrame(frame: Buffer | string, binary: boolean): { channel: number; data: Buffer } | null {
  const bytes = typeof frame === 'string' ? Buffer.from(frame) : frame;
  if (bytes.length === 0) return null;
  if (binary) return { channel: bytes[0]!, data: bytes.subarray(1) };
  return { channel: bytes[0]! - 48, data: Buffer.from(bytes.subarray(1).toString(), 'base64') };
}

/** The port prefix portforward/websocket.go writes first on both channels of a port (uint16 LE). */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port & 0xffff);
  return b;
}
