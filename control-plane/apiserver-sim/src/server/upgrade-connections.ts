import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The raw connection of a request Node delivered through the server's `upgrade` event, for the handler
 * that proxies it (Go hands the same request to the handler chain and lets a handler hijack it).
 */
export interface UpgradeConnection {
  readonly socket: Duplex;
  readonly head: Buffer;
}

const connections = new WeakMap<IncomingMessage, UpgradeConnection>();

export function setUpgradeConnection(req: IncomingMessage, conn: UpgradeConnection): void {
  connections.set(req, conn);
}

export function upgradeConnectionOf(req: IncomingMessage): UpgradeConnection | undefined {
  return connections.get(req);
}
