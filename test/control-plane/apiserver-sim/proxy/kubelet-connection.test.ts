import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeletBaseUrl } from '../../../../control-plane/apiserver-sim/src/proxy/kubelet-connection';
import { isWebSocketRequestWithStreamCloseProtocol } from '../../../../control-plane/apiserver-sim/src/proxy/stream-translator';
import type { IncomingMessage } from 'node:http';

describe('kubelet connection info (GetConnectionInfo, GetPreferredNodeAddress)', () => {
  it('takes the first address in preferred type order and the daemon endpoint port', () => {
    const node = { metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '127.0.0.2' }], daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } } };
    assert.equal(kubeletBaseUrl(node).toString(), 'http://127.0.0.2:12345/');
  });

  it('defaults the port to 10250 and refuses a node with no usable or a non-loopback address', () => {
    assert.equal(kubeletBaseUrl({ metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } }).port, '10250');
    assert.throws(() => kubeletBaseUrl({ metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalDNS', address: 'n.local' }] } }), /no preferred addresses found; known addresses: \[\{InternalDNS n\.local\}\]/);
    assert.throws(() => kubeletBaseUrl({ metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }] } }), /only connects to loopback kubelets/);
  });

  it('translates only WebSocket upgrades that offer v5.channel.k8s.io', () => {
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
    assert.equal(isWebSocketRequestWithStreamCloseProtocol(req({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' })), true);
    assert.equal(isWebSocketRequestWithStreamCloseProtocol(req({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': 'v4.channel.k8s.io' })), false);
    assert.equal(isWebSocketRequestWithStreamCloseProtocol(req({ connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v5.channel.k8s.io' })), false);
  });
});
