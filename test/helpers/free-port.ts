import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP port that was free a moment ago, for processes that need a port number up front
 * (kubelet-sim's --port must be 1..65535; the kubelet's defaults 10250/10248 may be taken).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
