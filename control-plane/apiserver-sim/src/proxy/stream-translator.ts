/**
 * The apiserver's stream translation for clients that speak WebSocket `v5.channel.k8s.io` (k8s.io/apiserver
 * pkg/util/proxy streamtranslator.go@v0.34.1 StreamTranslatorHandler, websocket.go webSocketServerStreams,
 * translatinghandler.go; installed by pkg/registry/core/pod/rest/subresources.go when
 * TranslateStreamCloseWebsocketRequests is on, the default since 1.30): the apiserver accepts the client's
 * WebSocket (v5 only, as wsstream.IsWebSocketRequestWithStreamCloseProtocol requires) and runs the command
 * on the kubelet itself with client-go's SPDY executor (`remotecommand.NewSPDYExecutorRejectRedirects`,
 * POST, `Upgrade: SPDY/3.1`, offering v5…v1, pings every 5 s; cri-proto/src/streaming/remote-command-spdy-executor.ts).
 * kubectl 1.30+ offers only v5 over WebSocket and falls back to SPDY when that upgrade fails.
 *
 * WebSocket side: stdin (channel 0) is copied to the SPDY stdin stream and closed by v5's close signal
 * (channel 255, `[255, 0]`); resize (channel 4) carries JSON TerminalSize objects; stdout (1) and stderr (2)
 * come from the SPDY streams. The outcome is written once on the error channel (3) as a metav1.Status,
 * then the WebSocket is closed: Success; a CodeExitError as NonZeroExitCode (codeExitToStatusError); a
 * Status the kubelet refused the upgrade with, as is; anything else as an InternalError.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import {
  encodeStatus,
  internalErrorStatus,
  nonZeroExitStatus,
  REMOTE_COMMAND_CHANNEL,
  successStatus,
  type RemoteCommandStatus,
} from '../../../../cri-proto/src/streaming/remote-command-protocol';
import { streamWithSpdy, type SpdyExecutorResult, type TerminalSize } from '../../../../cri-proto/src/streaming/remote-command-spdy-executor';

export const STREAM_CLOSE_PROTOCOL = 'v5.channel.k8s.io';
/** wsstream's v5 close signal: a message on this channel names the channel the client is done with. */
const CLOSE_SIGNAL_CHANNEL = 255;
/** StreamTranslatorHandler: spdy.RoundTripperConfig{PingPeriod: 5 * time.Second}. */
export const TRANSLATOR_PING_PERIOD_MS = 5_000;

/** wsstream.IsWebSocketRequestWithStreamCloseProtocol: a WebSocket upgrade offering v5.channel.k8s.io. */
export function isWebSocketRequestWithStreamCloseProtocol(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !/(^|,)\s*upgrade\s*(,|$)/.test(connection)) return false;
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .some((p) => p.trim() === STREAM_CLOSE_PROTOCOL);
}

/** The streams the client asked for (translatinghandler.go Options, from the exec/attach query). */
export interface TranslatorOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export interface TranslationOutcome {
  /** The kubelet's upgrade status (101 when connected), 0 when no answer came. */
  readonly kubeletStatus: number;
  /** Why the kubelet could not be reached (with status 0). */
  readonly error?: string;
}

const server = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: () => STREAM_CLOSE_PROTOCOL });

/** The Status written on the error channel for what StreamWithContext returned (ServeHTTP's branches). */
export function statusOf(result: SpdyExecutorResult): RemoteCommandStatus {
  switch (result.kind) {
    case 'success':
      return successStatus();
    case 'exit':
      return nonZeroExitStatus(result.exitCode, result.message);
    case 'status': {
      const s = result.status;
      return {
        status: s.status === 'Success' ? 'Success' : 'Failure',
        ...(s.message ? { message: s.message } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.details !== undefined ? { details: s.details as RemoteCommandStatus['details'] } : {}),
        ...(s.code ? { code: s.code } : {}),
      };
    }
    case 'error':
      return internalErrorStatus(result.message);
  }
}

/** handleResizeEvents: a json.Decoder over the resize channel; each complete object is one size. */
function resizeDecoder(onSize: (size: TerminalSize) => void): (data: Buffer) => void {
  let pending = '';
  return (data) => {
    pending += data.toString('utf8');
    for (;;) {
      const end = pending.indexOf('}');
      if (end < 0) return;
      const text = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      try {
        const raw = JSON.parse(text) as Record<string, unknown>;
        // encoding/json matches field names case-insensitively.
        const field = (name: string): number => Number(Object.entries(raw).find(([k]) => k.toLowerCase() === name)?.[1] ?? 0);
        onSize({ Width: field('width'), Height: field('height') });
      } catch {
        pending = '';
        return;
      }
    }
  };
}

/**
 * Accepts the client's WebSocket, runs the command on `location` (the kubelet) over SPDY with `headers`
 * (the trace context, when traced), relays until the command is over. Resolves once the Status is
 * written (or the client has gone).
 */
export function translateStream(req: IncomingMessage, socket: Duplex, head: Buffer, location: URL, headers: Record<string, string>, options: TranslatorOptions): Promise<TranslationOutcome> {
  return new Promise((resolve) => {
    server.handleUpgrade(req, socket, head, (client) => {
      const send = (channel: number, data: Buffer): void => {
        if (client.readyState === WebSocket.OPEN) client.send(Buffer.concat([Buffer.from([channel]), data]));
      };
      const execution = streamWithSpdy({
        location,
        method: 'POST',
        headers,
        ...options,
        pingPeriodMs: TRANSLATOR_PING_PERIOD_MS,
        onStdout: (data) => send(REMOTE_COMMAND_CHANNEL.STDOUT, data),
        onStderr: (data) => send(REMOTE_COMMAND_CHANNEL.STDERR, data),
      });
      const onResize = resizeDecoder((size) => execution.resize(size));
      client.on('message', (data: Buffer) => {
        if (data.length === 0) return;
        const channel = data[0]!;
        const payload = data.subarray(1);
        if (channel === CLOSE_SIGNAL_CHANNEL) {
          if (payload[0] === REMOTE_COMMAND_CHANNEL.STDIN) execution.closeStdin();
        } else if (channel === REMOTE_COMMAND_CHANNEL.STDIN && options.stdin) {
          execution.writeStdin(Buffer.from(payload));
        } else if (channel === REMOTE_COMMAND_CHANNEL.RESIZE && options.tty) {
          onResize(payload);
        }
      });
      client.on('close', () => {
        // The client went away: its stdin is over and the request's context is done.
        execution.closeStdin();
        execution.cancel();
      });
      client.on('error', () => client.terminate());
      void execution.done.then((result) => {
        if (client.readyState === WebSocket.OPEN) {
          send(REMOTE_COMMAND_CHANNEL.ERROR, encodeStatus(statusOf(result), true)!);
          client.close(1000);
        }
        resolve(result.httpStatus === 0 && result.kind === 'error' ? { kubeletStatus: 0, error: result.message } : { kubeletStatus: result.httpStatus });
      });
    });
  });
}
