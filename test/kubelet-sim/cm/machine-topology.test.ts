import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HOST_FS, readMachineTopology, uniformMachine } from '../../../kubelet-sim/src/cm/machine-topology';

const GI = 2 ** 30;
const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A fake /sys under a temp root: node<N> with its cpulist and meminfo, and each CPU's physical_package_id. */
function fakeSys(nodes: ReadonlyArray<{ id: number; cpulist: string; memKb?: number }>, packageOf: (cpu: number) => number | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'fake-sys-'));
  roots.push(root);
  const nodeRoot = join(root, 'sys/devices/system/node');
  mkdirSync(nodeRoot, { recursive: true });
  for (const f of ['online', 'possible', 'has_cpu', 'uevent']) writeFileSync(join(nodeRoot, f), '0\n');
  for (const node of nodes) {
    const dir = join(nodeRoot, `node${node.id}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'cpulist'), `${node.cpulist}\n`);
    if (node.memKb !== undefined) {
      writeFileSync(join(dir, 'meminfo'), `Node ${node.id} MemTotal:       ${node.memKb} kB\nNode ${node.id} MemFree:        1000 kB\n`);
    }
  }
  for (let cpu = 0; cpu < 64; cpu++) {
    const pkg = packageOf(cpu);
    if (pkg === undefined) continue;
    const dir = join(root, `sys/devices/system/cpu/cpu${cpu}/topology`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'physical_package_id'), `${pkg}\n`);
  }
  return root;
}

const HOST = { cpus: 99, memoryBytes: 64 * GI };

describe('readMachineTopology', () => {
  it('reads two NUMA nodes on two sockets: their CPUs, MemTotal and the socket count', () => {
    const root = fakeSys([{ id: 1, cpulist: '4-7', memKb: 8 * 1024 * 1024 }, { id: 0, cpulist: '0-3', memKb: 4 * 1024 * 1024 }], (cpu) => (cpu < 8 ? Math.floor(cpu / 4) : undefined));
    const m = readMachineTopology(root, HOST_FS, HOST);
    assert.deepEqual(m.numaNodes.map((n) => n.id), [0, 1]);
    assert.deepEqual(m.numaNodes[0].cpus, [0, 1, 2, 3]);
    assert.deepEqual(m.numaNodes[1].cpus, [4, 5, 6, 7]);
    assert.equal(m.numaNodes[0].memoryBytes, 4 * GI);
    assert.equal(m.numaNodes[1].memoryBytes, 8 * GI);
    assert.equal(m.sockets, 2);
    assert.equal(m.memoryCapacityBytes, 64 * GI);
  });

  it('reads nine NUMA nodes (node10 sorts after node9), with a node that has memory but no CPUs', () => {
    const nodes = Array.from({ length: 8 }, (_, i) => ({ id: i === 7 ? 10 : i, cpulist: `${i * 2}-${i * 2 + 1}`, memKb: 1024 }));
    nodes.push({ id: 8, cpulist: '', memKb: 2048 });
    const root = fakeSys(nodes, (cpu) => (cpu < 16 ? 0 : undefined));
    const m = readMachineTopology(root, HOST_FS, HOST);
    assert.deepEqual(m.numaNodes.map((n) => n.id), [0, 1, 2, 3, 4, 5, 6, 8, 10]);
    assert.deepEqual(m.numaNodes[7].cpus, []);
    assert.equal(m.numaNodes[7].memoryBytes, 2 * 1024 * 1024);
    assert.equal(m.sockets, 1);
  });

  it('takes a comma list with ranges, and a node without meminfo has no memory', () => {
    const root = fakeSys([{ id: 0, cpulist: '0-1,4,6-7' }], () => 0);
    const m = readMachineTopology(root, HOST_FS, HOST);
    assert.deepEqual(m.numaNodes[0].cpus, [0, 1, 4, 6, 7]);
    assert.equal(m.numaNodes[0].memoryBytes, 0);
  });

  it('counts one socket when physical_package_id is missing', () => {
    const root = fakeSys([{ id: 0, cpulist: '0-1', memKb: 1 }, { id: 1, cpulist: '2-3', memKb: 1 }], () => undefined);
    assert.equal(readMachineTopology(root, HOST_FS, HOST).sockets, 1);
  });

  it('falls back to one NUMA node with the host CPUs and memory when /sys has no node directories', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fake-sys-'));
    roots.push(empty);
    const m = readMachineTopology(empty, HOST_FS, { cpus: 3, memoryBytes: 2 * GI });
    assert.deepEqual(m, { numaNodes: [{ id: 0, cpus: [0, 1, 2], memoryBytes: 2 * GI }], sockets: 1, memoryCapacityBytes: 2 * GI });
  });

  it('reads through an injected reader', () => {
    const files: Record<string, string> = {
      '/sys/devices/system/node/node0/cpulist': '0\n',
      '/sys/devices/system/node/node0/meminfo': 'Node 0 MemTotal: 2048 kB\n',
      '/sys/devices/system/cpu/cpu0/topology/physical_package_id': '3\n',
    };
    const m = readMachineTopology('/', { readFile: (p) => files[p], readDir: (p) => (p === '/sys/devices/system/node' ? ['node0', 'power'] : undefined) }, HOST);
    assert.deepEqual(m.numaNodes, [{ id: 0, cpus: [0], memoryBytes: 2 * 1024 * 1024 }]);
    assert.equal(m.sockets, 1);
  });
});

describe('uniformMachine', () => {
  it('spreads CPUs and memory over the nodes, the remainder on the last', () => {
    const m = uniformMachine({ cpus: 5, numaNodes: 2, sockets: 2, memoryBytes: 4 * GI });
    assert.deepEqual(m.numaNodes.map((n) => n.cpus), [[0, 1], [2, 3, 4]]);
    assert.deepEqual(m.numaNodes.map((n) => n.memoryBytes), [2 * GI, 2 * GI]);
    assert.equal(m.sockets, 2);
  });
});
