#!/usr/bin/env node
// Stops and removes every pod sandbox (and so its containers) on a CRI socket, as `crictl rmp -fa` does,
// with this repository's CRI client: kubelet-sim, like the kubelet, leaves pods running when it exits.
// Usage (after npm install): node configs/real-crio/remove-pods.js [unix:///tmp/real-crio/crio.sock]
const { createRuntimeServiceClient } = require('../../dist/cri-proto/src/load-cri.js');

const endpoint = process.argv[2] || 'unix:///tmp/real-crio/crio.sock';
const client = createRuntimeServiceClient(endpoint);
const call = (method, request) => new Promise((resolve, reject) => client[method](request, (err, res) => (err ? reject(err) : resolve(res))));

(async () => {
  const { items } = await call('ListPodSandbox', {});
  for (const sandbox of items) {
    await call('StopPodSandbox', { pod_sandbox_id: sandbox.id });
    await call('RemovePodSandbox', { pod_sandbox_id: sandbox.id });
    console.log(`removed ${sandbox.metadata.namespace}/${sandbox.metadata.name} ${sandbox.id.slice(0, 13)}`);
  }
  client.close();
})().catch((err) => {
  console.error(`${endpoint}: ${err.message}`);
  process.exit(1);
});
