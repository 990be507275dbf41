/** A parsed `host:port` listen address. */
export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:4317';
/** The Collector's OTLP/HTTP port (receiver/otlpreceiver README: 4318). */
export const DEFAULT_HTTP_LISTEN = '127.0.0.1:4318';

/** True for hosts that only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Parses `host:port`, `[ipv6]:port`, or a bare port (bound to 127.0.0.1 so
 * nothing is exposed by accident). Port 0 asks the OS for a free port.
 */
export function parseListenAddress(text: string): ListenAddress {
  const value = text.trim();
  let host: string;
  let portText: string;
  if (/^\d+$/.test(value)) {
    host = '127.0.0.1';
    portText = value;
  } else if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') throw new Error(`"${text}" is not [ipv6]:port`);
    host = value.slice(1, close);
    portText = value.slice(close + 2);
  } else {
    const colon = value.lastIndexOf(':');
    if (colon <= 0) throw new Error(`"${text}" is not host:port (e.g. 127.0.0.1:4317)`);
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(':')) throw new Error(`"${text}": put an IPv6 host in brackets, e.g. [::1]:4317`);
  }
  if (host === '') throw new Error(`"${text}" has no host (e.g. 127.0.0.1:4317)`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`"${text}": port must be an integer from 0 to 65535`);
  return { host, port };
}

export function formatListenAddress({ host, port }: ListenAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
