import * as net from 'node:net';
import { formatListenAddress, type ListenAddress } from './listen-address';

/** Thrown when the sink cannot listen; the message names the flag to change. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

const REASONS = {
  EADDRINUSE: 'address already in use (another OTLP receiver such as a Collector may be running)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name does not resolve',
} as const;

/** Builds the user-facing error for a failed listen. */
export function listenError(address: ListenAddress, code: string | undefined, detail: string, flag: string): ListenError {
  const where = formatListenAddress(address);
  const reason = (code && REASONS[code as keyof typeof REASONS]) || detail;
  const nextPort = address.port > 0 && address.port < 65535 ? address.port + 1 : 4318;
  const hint =
    code === 'EADDRINUSE'
      ? `pick another port, e.g. ${flag} ${formatListenAddress({ host: address.host, port: nextPort })}, or port 0 for any free port`
      : `pass a different ${flag} host:port`;
  return new ListenError(`trace-sink: cannot listen on ${where} (${flag}): ${reason}; ${hint}`, code);
}

/**
 * Tries a plain TCP listen on the address first: grpc-js reports bind errors
 * only as a generic string and logs noise, while node's net gives an errno.
 */
export async function probeListen(address: ListenAddress, flag: string): Promise<void> {
  if (address.port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(listenError(address, err.code, err.message, flag)));
    probe.listen({ host: address.host, port: address.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Maps a grpc-js bindAsync error (a message string) to a ListenError. */
export function fromGrpcBindError(address: ListenAddress, err: Error, flag: string): ListenError {
  const code = err.message.includes('Name resolution failed')
    ? 'ENOTFOUND'
    : Object.keys(REASONS).find((c) => err.message.includes(c));
  return listenError(address, code, err.message, flag);
}
