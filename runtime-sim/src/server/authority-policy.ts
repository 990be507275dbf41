/**
 * Which :authority values Node's http2 server takes, and what the front door puts in place of one it
 * would refuse.
 *
 * Node's http2 is nghttp2, which resets (RST_STREAM PROTOCOL_ERROR) any request whose :authority or
 * host has a character outside RFC 3986's authority set (nghttp2 lib/nghttp2_helper.c
 * nghttp2_check_authority, called from lib/nghttp2_http.c). Go clients that dial a bare socket path
 * send that path as :authority: grpc-go takes the target's endpoint as the authority unless the target
 * starts with "unix:" (grpc-go clientconn.go, DialContext), and crictl up to 1.2x and older kubelet /
 * CSI helpers dialled "/run/containerd/containerd.sock" that way. grpc-go servers (containerd, CRI-O)
 * never look at the characters, so those clients work against the real runtimes.
 */
import type { HeaderField } from './header-block-codec';

/**
 * nghttp2's accepted set, measured against Node 20's http2 server one character at a time (0x21-0x7e,
 * space, DEL, a non-ASCII octet, and the empty value): ALPHA, DIGIT and !$%&'()*+,-.:;=@[]_~ pass,
 * every other octet and the empty value are refused.
 */
const ACCEPTED_AUTHORITY = /^[A-Za-z0-9!$%&'()*+,\-.:;=@[\]_~]+$/;

/** The fields nghttp2 checks with that rule (RFC 9113 §8.3.1 :authority, and host). */
const AUTHORITY_FIELD_NAMES: ReadonlySet<string> = new Set([':authority', 'host']);

/**
 * The authority a unix-socket client is given in place of a refused one: what grpc-go sends for a
 * "unix:" target (clientconn.go) and grpc-js for any unix target (src/resolver-uds.ts). The server
 * does not route on it.
 */
export const UNIX_SOCKET_AUTHORITY = 'localhost';

export function isAcceptableAuthority(value: string): boolean {
  return ACCEPTED_AUTHORITY.test(value);
}

/** The first :authority or host value nghttp2 would refuse, if any. */
export function findRefusedAuthority(fields: readonly HeaderField[]): string | undefined {
  for (const field of fields) {
    if (AUTHORITY_FIELD_NAMES.has(field.name) && !isAcceptableAuthority(field.value)) return field.value;
  }
  return undefined;
}

/** `fields` with each refused :authority / host value replaced by UNIX_SOCKET_AUTHORITY; the same array if none is. */
export function withAcceptableAuthority(fields: readonly HeaderField[]): readonly HeaderField[] {
  if (findRefusedAuthority(fields) === undefined) return fields;
  return fields.map((field) =>
    AUTHORITY_FIELD_NAMES.has(field.name) && !isAcceptableAuthority(field.value) ? { name: field.name, value: UNIX_SOCKET_AUTHORITY } : field,
  );
}
