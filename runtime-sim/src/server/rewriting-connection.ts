/**
 * A client socket seen by the gRPC server through an AuthorityRewriter: what the client sends is
 * rewritten on its way in, what the server sends goes out as it is. Back-pressure both ways (the socket
 * pauses while the server's side is full; server writes complete when the socket takes them), and
 * either side closing or failing closes the other.
 */
import { Duplex } from 'node:stream';
import type * as net from 'node:net';
import type { AuthorityRewriter } from './authority-rewriter';

/**
 * `received`: what the client already sent (from its first byte) before this connection was made.
 * `onRewriteError` is told once if the client's bytes cannot be rewritten; the connection is then closed.
 */
export function createRewritingConnection(
  socket: net.Socket,
  received: Buffer,
  rewriter: AuthorityRewriter,
  onRewriteError: (err: Error) => void,
): Duplex {
  const connection = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, (err) => callback(err ?? null));
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  const feed = (chunk: Buffer): void => {
    let out: Buffer[];
    try {
      out = rewriter.push(chunk);
    } catch (err) {
      socket.removeListener('data', feed);
      onRewriteError(err as Error);
      connection.destroy();
      return;
    }
    let more = true;
    for (const piece of out) more = connection.push(piece);
    if (!more) socket.pause();
  };
  feed(received);
  socket.on('data', feed);
  socket.once('end', () => connection.push(null));
  // A socket error is followed by 'close'; the server sees the connection go away, not the error.
  socket.on('error', () => undefined);
  socket.once('close', () => connection.destroy());
  socket.resume();
  return connection;
}
