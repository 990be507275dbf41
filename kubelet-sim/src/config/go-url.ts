/**
 * A `net/url.Parse`-compatible parser, reduced to what the component-base tracing
 * endpoint check needs: the scheme, and the exact error Go reports for a bad URL.
 *
 * Behaviour follows Go's `src/net/url/url.go` (Parse, parse, getScheme,
 * parseAuthority, parseHost, unescape, setPath, setFragment, validOptionalPort,
 * validUserinfo, stringContainsCTLByte) as shipped with the Go 1.24.x toolchain
 * Kubernetes 1.34 is built with, including the bracketed-host validation added in
 * the Go 1.24.8 / 1.25.2 security release (CVE-2025-47912). Our own code.
 *
 * Errors carry Go's `url.Error` text: `parse "<url>": <reason>`.
 */

import { isIPv4, isIPv6 } from 'node:net';
import { goQuote } from './go-compat';

/** The parts of a Go `*url.URL` that callers here need. */
export interface GoUrl {
  /** Lower-cased scheme ("" when the URL is relative). */
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
}

/** Error thrown by {@link goUrlParse}; `message` is Go's `(*url.Error).Error()` text. */
export class GoUrlError extends Error {
  readonly op = 'parse';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`parse ${goQuote(url)}: ${reason}`);
    this.name = 'GoUrlError';
  }
}

class ReasonError extends Error {}

const enum Enc {
  Path = 1,
  PathSegment,
  Host,
  Zone,
  UserPassword,
  QueryComponent,
  Fragment,
}

const isHex = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 0;
}

/** Go's `shouldEscape` (RFC 3986 rules per URL component). */
function shouldEscape(c: number, mode: Enc): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  const ch = String.fromCharCode(c);
  if (mode === Enc.Host || mode === Enc.Zone) {
    if ("!$&'()*+,;=:[]<>\"".includes(ch)) return false;
  }
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case Enc.Path:
        return ch === '?';
      case Enc.PathSegment:
        return ch === '/' || ch === ';' || ch === ',' || ch === '?';
      case Enc.UserPassword:
        return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case Enc.QueryComponent:
        return true;
      case Enc.Fragment:
        return false;
    }
  }
  if (mode === Enc.Fragment && '!()*'.includes(ch)) return false;
  return true;
}

const escapeError = (s: string): ReasonError => new ReasonError('invalid URL escape ' + goQuote(s));

/**
 * Go's `unescape`: validates percent-escapes (and, for hosts, the allowed characters)
 * and decodes them. Operates on UTF-8 bytes like Go does.
 */
function unescape(s: string, mode: Enc): string {
  const b = Buffer.from(s, 'utf8');
  let n = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c === 0x25 /* % */) {
      n++;
      if (i + 2 >= b.length || !isHex(b[i + 1]) || !isHex(b[i + 2])) {
        const rest = b.subarray(i, Math.min(b.length, i + 3));
        throw escapeError(rest.toString('latin1'));
      }
      const triple = b.subarray(i, i + 3).toString('latin1');
      // In a host, %-encoding may only be used for non-ASCII bytes (or %25 in a zone).
      if (mode === Enc.Host && unhex(b[i + 1]) < 8 && triple !== '%25') throw escapeError(triple);
      if (mode === Enc.Zone) {
        const v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
        if (triple !== '%25' && v !== 0x20 && shouldEscape(v, Enc.Host)) throw escapeError(triple);
      }
      i += 3;
      continue;
    }
    if ((mode === Enc.Host || mode === Enc.Zone) && c < 0x80 && shouldEscape(c, mode)) {
      throw new ReasonError('invalid character ' + goQuote(String.fromCharCode(c)) + ' in host name');
    }
    i++;
  }
  if (n === 0) return s;
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x25) {
      out.push((unhex(b[i + 1]) << 4) | unhex(b[i + 2]));
      i += 2;
    } else if (b[i] === 0x2b /* + */ && mode === Enc.QueryComponent) {
      out.push(0x20);
    } else {
      out.push(b[i]);
    }
  }
  return Buffer.from(out).toString('utf8');
}

function stringContainsCTLByte(s: string): boolean {
  for (const b of Buffer.from(s, 'utf8')) if (b < 0x20 || b === 0x7f) return true;
  return false;
}

/** Go's `getScheme`: `[a-zA-Z][a-zA-Z0-9+-.]*:` prefix, else no scheme. */
function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 0x3a /* : */) {
      if (i === 0) throw new ReasonError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw]; // an invalid character: no valid scheme
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  for (const ch of port.slice(1)) if (ch < '0' || ch > '9') return false;
  return true;
}

function validUserinfo(s: string): boolean {
  for (const ch of s) {
    if (/^[A-Za-z0-9]$/.test(ch)) continue;
    if ("-._:~!$&'()*+,;=%@".includes(ch)) continue;
    return false;
  }
  return true;
}

/** Go's `parseHost` for `host[:port]` (bracketed IP literals validated as IPv6). */
function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new ReasonError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) {
      throw new ReasonError(`invalid port ${goQuote(colonPort)} after host`);
    }
    const portPart = unescape(colonPort, Enc.Host);
    const hostname = host.slice(1, close);
    let unescaped: string;
    const zone = hostname.indexOf('%25');
    if (zone >= 0) {
      unescaped = unescape(hostname.slice(0, zone), Enc.Host) + unescape(hostname.slice(zone), Enc.Zone);
    } else {
      unescaped = unescape(hostname, Enc.Host);
    }
    // Only an IPv6 address may be bracketed (netip.ParseAddr in Go).
    const addrOnly = unescaped.split('%')[0];
    if (isIPv4(unescaped)) throw new ReasonError('invalid IP-literal');
    if (!isIPv6(addrOnly)) {
      // Go wraps netip.ParseAddr's error; the detailed reason for malformed IPv6 text
      // varies, "unable to parse IP" is exact for inputs with neither ':' nor '.'.
      throw new ReasonError(`invalid host: ParseAddr(${goQuote(unescaped)}): unable to parse IP`);
    }
    return '[' + unescaped + ']' + portPart;
  }
  const i = host.lastIndexOf(':');
  if (i !== -1) {
    const colonPort = host.slice(i);
    if (!validOptionalPort(colonPort)) {
      throw new ReasonError(`invalid port ${goQuote(colonPort)} after host`);
    }
  }
  return unescape(host, Enc.Host);
}

function parseAuthority(authority: string): string {
  const i = authority.lastIndexOf('@');
  const host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i < 0) return host;
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new ReasonError('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  if (colon < 0) {
    unescape(userinfo, Enc.UserPassword);
  } else {
    unescape(userinfo.slice(0, colon), Enc.UserPassword);
    unescape(userinfo.slice(colon + 1), Enc.UserPassword);
  }
  return host;
}

/** Go's unexported `parse(rawURL, viaRequest=false)`. */
function parse(raw: string): GoUrl {
  if (stringContainsCTLByte(raw)) throw new ReasonError('net/url: invalid control character in URL');
  const url: GoUrl = { scheme: '', opaque: '', host: '', path: '', rawQuery: '', fragment: '' };
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();

  if (rest.endsWith('?') && rest.split('?').length - 1 === 1) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }

  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      url.opaque = rest; // rootless paths are opaque
      return url;
    }
    const slash = rest.indexOf('/');
    const segment = slash >= 0 ? rest.slice(0, slash) : rest;
    if (segment.includes(':')) throw new ReasonError('first path segment in URL cannot contain colon');
  }

  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    url.host = parseAuthority(authority);
  }
  url.path = unescape(rest, Enc.Path);
  return url;
}

/**
 * Go's `url.Parse(rawURL)`.
 * @throws GoUrlError whose message is Go's, e.g.
 *   `parse "dn%2s://localhost:4317": first path segment in URL cannot contain colon`.
 */
export function goUrlParse(rawUrl: string): GoUrl {
  const hash = rawUrl.indexOf('#');
  const u = hash >= 0 ? rawUrl.slice(0, hash) : rawUrl;
  const frag = hash >= 0 ? rawUrl.slice(hash + 1) : '';
  let url: GoUrl;
  try {
    url = parse(u);
  } catch (e) {
    if (e instanceof ReasonError) throw new GoUrlError(u, e.message);
    throw e;
  }
  if (frag === '') return url;
  try {
    url.fragment = unescape(frag, Enc.Fragment);
  } catch (e) {
    if (e instanceof ReasonError) throw new GoUrlError(rawUrl, e.message);
    throw e;
  }
  return url;
}
