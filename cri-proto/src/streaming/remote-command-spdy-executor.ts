/**
 * The client of exec/attach over SPDY, as kube-apiserver's stream translator runs it against the
 * kubelet: client-go tools/remotecommand spdy.go (spdyStreamExecutor.StreamWithContext over
 * spdy.Negotiate, offering v5…v1), v2.go/v3.go/v4.go/v5.go (createStreams, copyStdin, copyStdout,
 * copyStderr, handleResizes, watchErrorStream) and errorstream.go / v4.go (errorDecoderV2, V4).
 *  - Streams are created one after another, each waiting for its SYN_REPLY: error, stdin (if asked),
 *    stdout (if asked), stderr (if asked and not a tty), resize (tty, v3+).
 *  - Stdin is copied as it comes; when it ends the remote stdin is closed (FIN), and when the server
 *    closes its half of stdin ours is closed too.
 *  - The result waits for stdout and stderr to end, then for the error stream to end; its content
 *    decides: nothing = success; v4/v5 a Status (Success, NonZeroExitCode with an ExitCode cause,
 *    or any other Failure as its message); v1-v3 the text as `error executing remote command: …`.
 *    v1 is run as v2 here (its stream set and error text are the same).
 */
import { REMOTE_COMMAND_SPDY_PROTOCOLS, SPDY_STREAM_HEADER, SPDY_STREAM_TYPE, STATUS_REASON, type RemoteCommandStatus } from './remote-command-protocol';
import type { SpdyConnection } from './spdy/spdy-connection';
import { negotiateSpdy, type RefusalStatus } from './spdy/spdy-round-tripper';
import type { SpdyStream } from './spdy/spdy-stream';

/** remotecommand.StreamProtocolV5Name: offered first by client-go's SPDY executor; over SPDY it runs as v4. */
export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';

/** The protocols NewSPDYExecutorForTransports offers, in order. */
export const SPDY_EXECUTOR_PROTOCOLS: readonly string[] = [STREAM_PROTOCOL_V5, ...REMOTE_COMMAND_SPDY_PROTOCOLS.map(([name]) => name)];

/** remotecommand.TerminalSize, JSON-encoded with Go's field names. */
export interface TerminalSize {
  readonly Width: number;
  readonly Height: number;
}

export interface SpdyExecutorRequest {
  readonly location: URL;
  /** The translator uses POST (streamtranslator.go). */
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  /** RoundTripperConfig.PingPeriod (5 s in the translator). */
  readonly pingPeriodMs?: number;
  readonly onStdout?: (data: Buffer) => void;
  readonly onStderr?: (data: Buffer) => void;
}

/**
 * How StreamWithContext returned:
 *  - `success`: nil;
 *  - `exit`: a utilexec.CodeExitError (`command terminated with exit code N`);
 *  - `status`: an *apierrors.StatusError (the upgrade was refused with a Status body);
 *  - `error`: any other error, by its text.
 * `httpStatus` is the upgrade response's code (0 when none came).
 */
export type StreamOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'exit'; readonly exitCode: number; readonly message: string }
  | { readonly kind: 'status'; readonly status: RefusalStatus }
  | { readonly kind: 'error'; readonly message: string };

export type SpdyExecutorResult = { readonly httpStatus: number; readonly protocol?: string } & StreamOutcome;

export interface SpdyExecution {
  /** Queued until the stdin stream exists. */
  writeStdin(data: Buffer): void;
  /** The end of the caller's stdin: FIN on the remote stdin. */
  closeStdin(): void;
  /** One TerminalSizeQueue.Next() value. */
  resize(size: TerminalSize): void;
  /** The caller went away (context done): the connection is closed. */
  cancel(): void;
  readonly done: Promise<SpdyExecutorResult>;
}

/** errorDecoderV4.decode. */
export function decodeV4ErrorStream(message: Buffer): StreamOutcome {
  let status: { status?: string; reason?: string; message?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
  try {
    status = JSON.parse(message.toString('utf8')) as typeof status;
  } catch (err) {
    return { kind: 'error', message: `error stream protocol error: ${(err as Error).message} in ${JSON.stringify(message.toString('utf8'))}` };
  }
  if (status.status === 'Success') return { kind: 'success' };
  if (status.status !== 'Failure') return { kind: 'error', message: 'error stream protocol error: unknown error' };
  if (status.reason === STATUS_REASON.NON_ZERO_EXIT_CODE) {
    if (status.details === undefined) return { kind: 'error', message: 'error stream protocol error: details must be set' };
    for (const cause of status.details.causes ?? []) {
      if (cause.reason !== STATUS_REASON.EXIT_CODE_CAUSE) continue;
      const text = cause.message ?? '';
      // strconv.ParseUint(c.Message, 10, 8)
      if (!/^\d+$/.test(text) || Number(text) > 255) return { kind: 'error', message: `error stream protocol error: invalid exit code value ${JSON.stringify(text)}` };
      const code = Number(text);
      return { kind: 'exit', exitCode: code, message: `command terminated with exit code ${code}` };
    }
    return { kind: 'error', message: `error stream protocol error: no ${STATUS_REASON.EXIT_CODE_CAUSE} cause given` };
  }
  return { kind: 'error', message: status.message ?? '' };
}

/** Collects a stream's data until its remote half ends. */
function readAll(stream: SpdyStream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    if (stream.isRemoteClosed) resolve(Buffer.concat(chunks));
    else stream.once('end', () => resolve(Buffer.concat(chunks)));
  });
}

function ended(stream: SpdyStream | undefined): Promise<void> {
  if (stream === undefined || stream.isRemoteClosed) return Promise.resolve();
  return new Promise((resolve) => stream.once('end', () => resolve()));
}

/** StreamWithContext: negotiate, create the streams, copy until the command is over. */
export function streamWithSpdy(request: SpdyExecutorRequest): SpdyExecution {
  const stdinQueue: Buffer[] = [];
  const resizeQueue: TerminalSize[] = [];
  let stdinEnded = false;
  let cancelled = false;
  let connection: SpdyConnection | undefined;
  let stdinStream: SpdyStream | undefined;
  let resizeStream: SpdyStream | undefined;

  const writeResize = (size: TerminalSize): void => {
    // json.Encoder.Encode: the object and a newline.
    resizeStream!.write(Buffer.from(`${JSON.stringify({ Width: size.Width, Height: size.Height })}\n`));
  };

  const run = async (): Promise<SpdyExecutorResult> => {
    const negotiated = await negotiateSpdy({ method: request.method, location: request.location, protocols: SPDY_EXECUTOR_PROTOCOLS, headers: request.headers, pingPeriodMs: request.pingPeriodMs });
    if (!negotiated.ok) {
      if (negotiated.status !== undefined) return { httpStatus: negotiated.httpStatus, kind: 'status', status: negotiated.status };
      return { httpStatus: negotiated.httpStatus, kind: 'error', message: negotiated.error };
    }
    const { protocol } = negotiated;
    const conn = negotiated.connection;
    connection = conn;
    const base = { httpStatus: 101, protocol } as const;
    if (cancelled) {
      conn.close();
      return { ...base, kind: 'error', message: 'context canceled' };
    }
    const v4 = protocol === STREAM_PROTOCOL_V5 || protocol === 'v4.channel.k8s.io';
    const resizes = v4 || protocol === 'v3.channel.k8s.io';
    try {
      const create = (type: string): Promise<SpdyStream> => conn.createStream([[SPDY_STREAM_HEADER.STREAM_TYPE, type]]);
      const errorStream = await create(SPDY_STREAM_TYPE.ERROR);
      const errorText = readAll(errorStream);
      if (request.stdin) stdinStream = await create(SPDY_STREAM_TYPE.STDIN);
      const stdout = request.stdout ? await create(SPDY_STREAM_TYPE.STDOUT) : undefined;
      const stderr = request.stderr && !request.tty ? await create(SPDY_STREAM_TYPE.STDERR) : undefined;
      if (request.tty && resizes) resizeStream = await create(SPDY_STREAM_TYPE.RESIZE);
      // handleResizes, copyStdin, copyStdout, copyStderr.
      if (resizeStream !== undefined) for (const size of resizeQueue.splice(0)) writeResize(size);
      if (stdinStream !== undefined) {
        const remoteStdin = stdinStream;
        for (const data of stdinQueue.splice(0)) remoteStdin.write(data);
        if (stdinEnded) remoteStdin.close();
        remoteStdin.on('data', () => undefined);
        remoteStdin.once('end', () => remoteStdin.close());
      }
      stdout?.on('data', (c: Buffer) => request.onStdout?.(c));
      stderr?.on('data', (c: Buffer) => request.onStderr?.(c));
      await Promise.all([ended(stdout), ended(stderr)]);
      const message = await errorText;
      if (cancelled) return { ...base, kind: 'error', message: 'context canceled' };
      if (message.length === 0) return { ...base, kind: 'success' };
      if (v4) {
        const outcome: StreamOutcome = decodeV4ErrorStream(message);
        return { ...base, ...outcome };
      }
      return { ...base, kind: 'error', message: `error executing remote command: ${message.toString('utf8')}` };
    } catch (err) {
      return { ...base, kind: 'error', message: cancelled ? 'context canceled' : (err as Error).message };
    } finally {
      // StreamWithContext's deferred conn.Close().
      conn.close();
    }
  };

  return {
    writeStdin(data) {
      if (stdinEnded || data.length === 0) return;
      if (stdinStream !== undefined) stdinStream.write(data);
      else stdinQueue.push(data);
    },
    closeStdin() {
      if (stdinEnded) return;
      stdinEnded = true;
      stdinStream?.close();
    },
    resize(size) {
      if (resizeStream !== undefined) writeResize(size);
      else resizeQueue.push(size);
    },
    cancel() {
      cancelled = true;
      connection?.destroy();
    },
    done: run(),
  };
}
