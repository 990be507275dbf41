import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  name: string;
  groups: string[];
}

/** k8s.io/apiserver pkg/authentication/user/user.go. */
export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';
export const MONITORING_GROUP = 'system:monitoring';
export const ANONYMOUS_USER: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** A static token → user table (--token-auth-file's content). */
export type TokenUsers = ReadonlyMap<string, UserInfo>;

export type AuthenticationResult = { user: UserInfo } | { unauthorized: true };

/**
 * Bearer token authentication with anonymous fallback (the apiserver's union authenticator with
 * --anonymous-auth=true): no Authorization header ⇒ system:anonymous; an unknown token ⇒ 401.
 * Authenticated users also get system:authenticated, as the apiserver's group adder does.
 */
export function authenticate(req: IncomingMessage, tokens: TokenUsers): AuthenticationResult {
  const header = req.headers.authorization;
  if (header === undefined) return { user: ANONYMOUS_USER };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const user = match ? tokens.get(match[1] as string) : undefined;
  if (!user) return { unauthorized: true };
  return { user: { name: user.name, groups: [...user.groups, 'system:authenticated'] } };
}

/** traces.go notSystemPrivilegedGroup: a request is a public endpoint unless its user is in masters or monitoring. */
export function isPublicEndpointUser(user: UserInfo): boolean {
  return !user.groups.some((g) => g === SYSTEM_PRIVILEGED_GROUP || g === MONITORING_GROUP);
}
