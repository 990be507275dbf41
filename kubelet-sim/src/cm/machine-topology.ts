/**
 * The machine as the kubelet's start-up checks see it through cAdvisor's MachineInfo (google/cadvisor
 * machine/info.go, utils/sysinfo/sysinfo.go GetNodesInfo): NUMA nodes from /sys/devices/system/node/node<N>
 * (their `cpulist` and the `MemTotal` line of their `meminfo`), each CPU's socket from
 * /sys/devices/system/cpu/cpu<N>/topology/physical_package_id, the memory capacity from MemTotal. Where /sys
 * has no node directories (no NUMA support, another OS) cAdvisor falls back to the CPU topology alone; here that
 * is one NUMA node 0 holding os.cpus() and os.totalmem() on one socket.
 * The file system is injected (`SysFsReader`) so that tests can give 2 or 9 NUMA nodes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { CpuSetParseError, parseCpuSet } from './cpuset';

export interface NumaNode {
  /** cadvisor Node.Id: N of node<N>. */
  id: number;
  /** Its CPUs, ascending. */
  cpus: readonly number[];
  /** Its MemTotal in bytes. */
  memoryBytes: number;
}

export interface MachineTopology {
  /** Ascending by id. */
  numaNodes: readonly NumaNode[];
  /** Distinct physical_package_id values over all CPUs (cpumanager topology NumSockets). */
  sockets: number;
  /** MachineInfo.MemoryCapacity: the node's memory capacity in bytes. */
  memoryCapacityBytes: number;
}

/** What the reader needs of a file system: undefined where a file or directory is missing or unreadable. */
export interface SysFsReader {
  readFile(path: string): string | undefined;
  readDir(path: string): string[] | undefined;
}

export const HOST_FS: SysFsReader = {
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  readDir: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
};

export interface HostFallback {
  cpus: number;
  memoryBytes: number;
}

const NODE_DIR = /^node(\d+)$/;
const MEM_TOTAL = /^Node\s+\d+\s+MemTotal:\s+(\d+)\s*kB\s*$/m;

/** Reads the machine under `root` (a prefix for /sys, "/" on the host). */
export function readMachineTopology(root = '/', fs: SysFsReader = HOST_FS,
  fallback: HostFallback = { cpus: os.cpus().length, memoryBytes: os.totalmem() }): MachineTopology {
  const nodeRoot = join(root, 'sys/devices/system/node');
  const names = (fs.readDir(nodeRoot) ?? []).filter((n) => NODE_DIR.test(n));
  if (names.length === 0) return uniformMachine({ cpus: fallback.cpus, numaNodes: 1, sockets: 1, memoryBytes: fallback.memoryBytes });
  const numaNodes: NumaNode[] = names.map((name) => {
    const id = Number(NODE_DIR.exec(name)![1]);
    let cpus: number[] = [];
    try {
      cpus = expand(parseCpuSet((fs.readFile(join(nodeRoot, name, 'cpulist')) ?? '').trim()));
    } catch (err) {
      if (!(err instanceof CpuSetParseError)) throw err; // an unreadable cpulist: a node without CPUs, as cAdvisor
    }
    const kb = MEM_TOTAL.exec(fs.readFile(join(nodeRoot, name, 'meminfo')) ?? '');
    return { id, cpus, memoryBytes: kb === null ? 0 : Number(kb[1]) * 1024 };
  }).sort((a, b) => a.id - b.id);
  const packages = new Set<string>();
  for (const node of numaNodes) {
    for (const cpu of node.cpus) {
      const id = fs.readFile(join(root, `sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`));
      packages.add(id === undefined ? '0' : id.trim());
    }
  }
  return { numaNodes, sockets: Math.max(1, packages.size), memoryCapacityBytes: fallback.memoryBytes };
}

/**
 * A made-up machine: `cpus` spread evenly over `numaNodes` nodes (the remainder on the last), memory split
 * evenly, `sockets` sockets. For tests and the fallback.
 */
export function uniformMachine(spec: { cpus: number; numaNodes: number; sockets: number; memoryBytes: number }): MachineTopology {
  const per = Math.floor(spec.cpus / spec.numaNodes);
  const numaNodes: NumaNode[] = [];
  for (let id = 0; id < spec.numaNodes; id++) {
    const first = id * per;
    const last = id === spec.numaNodes - 1 ? spec.cpus : first + per;
    numaNodes.push({ id, cpus: Array.from({ length: last - first }, (_, i) => first + i), memoryBytes: Math.floor(spec.memoryBytes / spec.numaNodes) });
  }
  return { numaNodes, sockets: spec.sockets, memoryCapacityBytes: spec.memoryBytes };
}

function expand(ranges: ReadonlyArray<readonly [number, number]>): number[] {
  const out: number[] = [];
  for (const [lo, hi] of ranges) for (let c = lo; c <= hi && out.length < 65_536; c++) out.push(c);
  return out;
}
