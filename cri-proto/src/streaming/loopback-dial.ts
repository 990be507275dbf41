/**
 * Dialling a streaming backend (the kubelet, or the runtime's stream server) the one way the emulator allows:
 * plain HTTP on a loopback address. Nothing here ever connects anywhere else, and a failed dial is reported
 * in Go's words, as net/http and the apiserver's proxies print it.
 */
import { connect, isIP, type Socket } from 'node:net';

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Connects to `location`'s host and port; the caller has checked it is a loopback http URL. */
export function dialLoopback(location: URL): Socket {
  return connect({ host: location.hostname.replace(/^\[|\]$/g, ''), port: Number(location.port || 80) });
}

/** Go's dial error text: `dial tcp 127.0.0.1:1234: connect: connection refused`. */
export function goDialError(err: NodeJS.ErrnoException, location: URL): string {
  const reason = err.code === 'ECONNREFUSED' ? 'connection refused' : err.code === 'ETIMEDOUT' ? 'i/o timeout' : err.message;
  return `dial tcp ${location.host}: connect: ${reason}`;
}
