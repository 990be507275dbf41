/**
 * The SPDY framing of the stream server, after the handshake (k8s.io/kubelet pkg/cri/streaming
 * remotecommand/httpstream.go createHTTPStreamStreams + v4/v3/v2/v1ProtocolHandler, and
 * portforward/httpstream.go handleHTTPStreams + httpStreamHandler, v1.34): which client streams are
 * awaited, where the session core's output goes, and how the connection ends.
 */
import type { Duplex } from 'node:stream';
import {
  encodeStatus,
  REMOTE_COMMAND_SPDY_PROTOCOLS,
  SPDY_STREAM_HEADER,
  SPDY_STREAM_TYPE,
  type SpdyRemoteCommandProtocol,
} from '../../../cri-proto/src/streaming/remote-command-protocol';
import { SpdyConnection } from '../../../cri-proto/src/streaming/spdy/spdy-connection';
import type { SpdyStream } from '../../../cri-proto/src/streaming/spdy/spdy-stream';
import type { AttachStreamRequest, ExecStreamRequest, PortForwardStreamRequest, StreamRequest } from './stream-request';
import type { RemoteCommandSession, StreamSessionCore } from './stream-session';

export interface SpdySessionOptions {
  readonly core: StreamSessionCore;
  /** How long a client has to open the streams it asked for (and a port-forward pair to complete). */
  readonly streamCreationTimeoutMs: number;
  /** A connection with no data frame either way for this long is closed. */
  readonly streamIdleTimeoutMs: number;
}

/** The data and error streams of one forwarded connection (portforward/httpstream.go httpStreamPair). */
interface PortForwardPair {
  data?: SpdyStream;
  error?: SpdyStream;
  readonly timer: NodeJS.Timeout;
}

/**
 * spdy/upgrade.go UpgradeResponse: 101 with the negotiated version, then SPDY on the raw socket.
 * Returns the connection so the server can end it on shutdown.
 */
export function serveSpdy(socket: Duplex, head: Buffer, request: StreamRequest, protocolName: string, options: SpdySessionOptions): SpdyConnection {
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Connection: Upgrade',
      'Upgrade: SPDY/3.1',
      `X-Stream-Protocol-Version: ${protocolName}`,
      `Date: ${new Date().toUTCString()}`,
      '',
      '',
    ].join('\r\n'),
  );
  if (request.kind === 'portforward') return servePortForward(socket, head, request, options);
  const protocol = REMOTE_COMMAND_SPDY_PROTOCOLS.find(([name]) => name === protocolName)![1];
  return serveRemoteCommand(socket, head, request, protocol, options);
}

/**
 * createHTTPStreamStreams: accept streams by their streamType header until the error stream and
 * one per requested stream (plus resize for a tty on v3+) have been replied to, within the stream
 * creation timeout; then run, write the status on the error stream, and close the connection.
 * On a timeout upstream only logs and returns, leaving the connection to its idle timeout; here it
 * is dropped at once.
 */
function serveRemoteCommand(socket: Duplex, head: Buffer, r: ExecStreamRequest | AttachStreamRequest, protocol: SpdyRemoteCommandProtocol, options: SpdySessionOptions): SpdyConnection {
  const expected = 1 + Number(r.stdin) + Number(r.stdout) + Number(r.stderr) + Number(r.tty && protocol.resize);
  const byType = new Map<string, SpdyStream>();
  let replied = 0;
  let started = false;
  const conn = new SpdyConnection(socket, {
    server: true,
    head,
    idleTimeoutMs: options.streamIdleTimeoutMs,
    onStream: (stream) => {
      const type = stream.header(SPDY_STREAM_HEADER.STREAM_TYPE);
      const known = (Object.values(SPDY_STREAM_TYPE) as string[]).includes(type) && type !== SPDY_STREAM_TYPE.DATA;
      if (known && !started) {
        byType.set(type, stream);
        // Stdin and resize data are read and dropped: the modelled commands read no input.
        stream.on('data', () => undefined);
        stream.once('replySent', () => {
          replied += 1;
          if (replied === expected) start();
        });
      }
      return null;
    },
  });
  const timer = setTimeout(() => {
    if (!started) conn.destroy();
  }, options.streamCreationTimeoutMs);
  timer.unref();
  conn.once('close', () => clearTimeout(timer));
  const start = (): void => {
    started = true;
    clearTimeout(timer);
    const gone = new AbortController();
    conn.once('close', () => gone.abort());
    const errorStream = byType.get(SPDY_STREAM_TYPE.ERROR);
    if (protocol.resetErrorStreamOnStart) {
      errorStream?.reset();
      byType.get(SPDY_STREAM_TYPE.STDIN)?.close();
    }
    const session: RemoteCommandSession = {
      stdout: (data) => byType.get(SPDY_STREAM_TYPE.STDOUT)?.write(data),
      stderr: (data) => byType.get(SPDY_STREAM_TYPE.STDERR)?.write(data),
      finish: (status) => {
        const bytes = encodeStatus(status, protocol.v4Status);
        if (bytes !== null) errorStream?.write(bytes);
        conn.close();
      },
      gone: gone.signal,
    };
    const run = r.kind === 'exec' ? options.core.runExec(session, r) : options.core.runAttach(session, r);
    run.then(
      () => conn.close(),
      () => conn.destroy(),
    );
  };
  return conn;
}

/**
 * portforward/httpstream.go: each forwarded connection is a data and an error stream sharing a
 * requestID; once both are there the port is forwarded (here: always refused, the error text on
 * the error stream) and both streams are closed. The connection lasts until the client ends it.
 */
function servePortForward(socket: Duplex, head: Buffer, r: PortForwardStreamRequest, options: SpdySessionOptions): SpdyConnection {
  const pairs = new Map<string, PortForwardPair>();
  const conn = new SpdyConnection(socket, {
    server: true,
    head,
    idleTimeoutMs: options.streamIdleTimeoutMs,
    onStream: (stream) => {
      // httpStreamReceived: the port and streamType headers are checked before a stream is accepted.
      const portText = stream.header(SPDY_STREAM_HEADER.PORT);
      if (portText === '') return `"${SPDY_STREAM_HEADER.PORT}" header is required`;
      if (!/^\d+$/.test(portText) || Number(portText) > 65535) return `unable to parse "${portText}" as a port`;
      if (Number(portText) < 1) return `port "${portText}" must be > 0`;
      const type = stream.header(SPDY_STREAM_HEADER.STREAM_TYPE);
      if (type === '') return `"${SPDY_STREAM_HEADER.STREAM_TYPE}" header is required`;
      if (type !== SPDY_STREAM_TYPE.ERROR && type !== SPDY_STREAM_TYPE.DATA) return `invalid stream type "${type}"`;
      stream.on('data', () => undefined);
      stream.once('replySent', () => addPortForwardStream(pairs, stream, type, r, conn, options));
      return null;
    },
  });
  conn.once('close', () => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    pairs.clear();
  });
  return conn;
}

function addPortForwardStream(pairs: Map<string, PortForwardPair>, stream: SpdyStream, type: string, r: PortForwardStreamRequest, conn: SpdyConnection, options: SpdySessionOptions): void {
  // httpStreamHandler.requestID: clients before the header paired streams by id (error = data + 2).
  let id = stream.header(SPDY_STREAM_HEADER.REQUEST_ID);
  if (id === '') id = String(type === SPDY_STREAM_TYPE.ERROR ? stream.id : stream.id + 2);
  let pair = pairs.get(id);
  if (pair === undefined) {
    // monitorStreamPair: a pair still missing a stream after the creation timeout is reported and dropped.
    const created: PortForwardPair = {
      timer: setTimeout(() => {
        if (pairs.get(id) !== created) return;
        pairs.delete(id);
        created.error?.write(Buffer.from(`(conn=${conn.label}, request=${id}) timed out waiting for streams`));
      }, options.streamCreationTimeoutMs),
    };
    created.timer.unref();
    pair = created;
    pairs.set(id, pair);
  }
  const slot = type === SPDY_STREAM_TYPE.DATA ? 'data' : 'error';
  if (pair[slot] !== undefined) {
    // httpStreamPair.add / printError
    pair.error?.write(Buffer.from(`error processing stream for request ${id}: ${slot} stream already assigned`));
    return;
  }
  pair[slot] = stream;
  if (pair.data === undefined || pair.error === undefined) return;
  clearTimeout(pair.timer);
  pairs.delete(id);
  const port = Number(pair.data.header(SPDY_STREAM_HEADER.PORT));
  pair.error.write(Buffer.from(options.core.portForwardError(r, port)));
  pair.error.close();
  pair.data.close();
}
