/**
 * The CRI socket's listener. runtime-sim accepts connections itself and hands each to the gRPC server
 * (grpc-js ConnectionInjector.injectConnection), choosing per connection:
 *
 *   native     the client's first request is one Node's http2 takes: the net.Socket itself goes to
 *              grpc-js with the bytes read so far put back (Node's http2 session reads a socket's
 *              buffered data before its handle, lib/internal/http2/core.js, nodejs/node#35475), and
 *              from then on nghttp2 reads the socket's handle directly: no JavaScript on the call path.
 *   rewritten  the first request's :authority is one nghttp2 refuses (a socket path, sent by Go
 *              clients that dial a bare path; authority-policy.ts): the connection goes through an
 *              AuthorityRewriter for its whole life.
 *
 * To see the first request the front door must send the server preface (an empty SETTINGS frame, the
 * same one grpc-js sends) itself; first-request-scanner.ts explains the ACK it then removes.
 * Connections the gRPC server could not serve either way are closed with one line saying why and what
 * the client should change.
 */
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { UNIX_SOCKET_AUTHORITY } from './authority-policy';
import { AuthorityRewriter } from './authority-rewriter';
import { FirstRequestScanner, type FirstContact } from './first-request-scanner';
import { CLIENT_PREFACE, EMPTY_SETTINGS_FRAME } from './http2-frame';
import { createRewritingConnection } from './rewriting-connection';

/** How long a client that sent its first request may take to acknowledge the server preface (RFC 9113 §6.5.3). */
export const SETTINGS_ACK_TIMEOUT_MS = 10_000;

/** Connections by the path they took (since the front door opened). */
export interface FrontDoorCounts {
  readonly native: number;
  readonly rewritten: number;
  /** Closed before reaching the gRPC server (not HTTP/2, a broken header block, no SETTINGS ACK). */
  readonly refused: number;
}

export interface FrontDoorOptions {
  readonly socketPath: string;
  /** Gives a connection to the gRPC server. */
  readonly inject: (connection: Duplex) => void;
  /** Says one line to the operator (what was refused or rewritten, and what the client can change). */
  readonly notice: (line: string) => void;
}

export interface FrontDoor {
  counts(): FrontDoorCounts;
  /** Stops accepting and closes connections not yet handed over; handed-over ones are the gRPC server's to close. Idempotent. */
  stopAccepting(): void;
  /** Closes every connection the front door accepted, handed over or not. */
  destroyConnections(): void;
}

/** Listens on `socketPath` (which must be free: see claim-socket-path.ts). */
export async function openFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const counts = { native: 0, rewritten: 0, refused: 0 };
  const accepted = new Set<net.Socket>();
  const scanning = new Set<net.Socket>();
  let toldRewrite = false;

  const refuse = (socket: net.Socket, line: string): void => {
    counts.refused++;
    options.notice(line);
    socket.destroy();
  };

  const handOver = (socket: net.Socket, contact: Extract<FirstContact, { kind: 'http2' }>): void => {
    if (contact.refusedAuthority === undefined) {
      if (contact.undecided !== undefined) options.notice(`CRI connection: cannot read the client's first request (${contact.undecided}); passing it to the gRPC server as sent`);
      counts.native++;
      socket.unshift(contact.forward);
      options.inject(socket);
      return;
    }
    counts.rewritten++;
    if (!toldRewrite) {
      toldRewrite = true;
      options.notice(
        `CRI client sent :authority ${JSON.stringify(contact.refusedAuthority)} (a Go client dialling the bare socket path, e.g. crictl <= 1.2x); ` +
          `Node's http2 refuses it, so such connections are answered as ${UNIX_SOCKET_AUTHORITY} (said once)`,
      );
    }
    const rewriter = new AuthorityRewriter();
    options.inject(
      createRewritingConnection(socket, contact.forward, rewriter, (err) =>
        options.notice(`CRI connection closed: ${err.message}; the client's HTTP/2 stream cannot be rewritten (a client bug; sending :authority ${UNIX_SOCKET_AUTHORITY} avoids the rewriting)`),
      ),
    );
  };

  const onConnection = (socket: net.Socket): void => {
    accepted.add(socket);
    scanning.add(socket);
    socket.once('close', () => {
      accepted.delete(socket);
      scanning.delete(socket);
    });
    const scanner = new FirstRequestScanner();
    let ackTimer: NodeJS.Timeout | undefined;
    const stopScanning = (): void => {
      scanning.delete(socket);
      clearTimeout(ackTimer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.pause();
    };
    const onError = (): void => {
      stopScanning();
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      const contact = scanner.push(chunk);
      if (contact === undefined) {
        if (scanner.hasFirstRequest && ackTimer === undefined) {
          ackTimer = setTimeout(() => {
            stopScanning();
            refuse(socket, `CRI connection closed: the client sent a request but did not acknowledge the server's SETTINGS within ${SETTINGS_ACK_TIMEOUT_MS} ms (RFC 9113 §6.5.3)`);
          }, SETTINGS_ACK_TIMEOUT_MS);
          ackTimer.unref();
        }
        return;
      }
      stopScanning();
      if (contact.kind === 'not-http2') {
        const start = JSON.stringify(contact.received.subarray(0, CLIENT_PREFACE.length).toString('latin1'));
        refuse(socket, `CRI connection closed: it began ${start}, not the HTTP/2 client preface; runtime-sim serves gRPC over HTTP/2 (prior knowledge), as containerd and CRI-O do; use a gRPC client such as crictl`);
        return;
      }
      handOver(socket, contact);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.write(EMPTY_SETTINGS_FRAME);
  };

  const listener = net.createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.socketPath, () => {
      listener.removeListener('error', reject);
      resolve();
    });
  });

  let stopped = false;
  return {
    counts: () => ({ ...counts }),
    stopAccepting: () => {
      if (stopped) return;
      stopped = true;
      listener.close();
      for (const socket of scanning) socket.destroy();
    },
    destroyConnections: () => {
      for (const socket of accepted) socket.destroy();
    },
  };
}
