/**
 * How kubelet-sim and runtime-sim agree on a fleet's nodes (`--nodes N`): the same node names from the same
 * pattern, and each node's CRI socket from one endpoint template. Both processes derive them alone, so a
 * kubelet node always dials its own runtime node.
 */

/** Most nodes one process pair runs (a typo such as --nodes 20000 is refused, not attempted). */
export const MAX_FLEET_NODES = 1000;
/** Default `--node-name-pattern`: node-0001, node-0002, ... */
export const DEFAULT_NODE_NAME_PATTERN = 'node-{n}';
/** Placeholder of the node number (from 1 or --first-node-number, zero-padded to 4 digits) in `--node-name-pattern`. */
export const NODE_INDEX_PLACEHOLDER = '{n}';
/** Placeholder of the node name in an endpoint template (`unix:///tmp/fleet/{node}.sock`). */
export const NODE_NAME_PLACEHOLDER = '{node}';

/** Highest node number a fleet may reach with --first-node-number (names stay short and sortable). */
export const MAX_NODE_NUMBER = 99_999;

/** A fleet flag that cannot be used; the message names the flag and the fix. */
export class FleetFlagError extends Error {}

/** `--nodes`: a whole number from 1 to MAX_FLEET_NODES. */
export function parseNodesFlag(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_FLEET_NODES) {
    throw new FleetFlagError(`invalid argument ${JSON.stringify(value)} for "--nodes" flag: give a whole number of nodes from 1 to ${MAX_FLEET_NODES}`);
  }
  return n;
}

/**
 * `--first-node-number`: the number of a fleet's first node (default 1), so that shards of one fleet, each a
 * process pair of its own, name their nodes node-0001 … node-0100, node-0101 … node-0200 and never collide.
 */
export function parseFirstNodeNumberFlag(value: string | undefined, count: number): number {
  if (value === undefined) return 1;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n + count - 1 > MAX_NODE_NUMBER) {
    throw new FleetFlagError(`invalid argument ${JSON.stringify(value)} for "--first-node-number" flag: give a whole number from 1 to ${MAX_NODE_NUMBER - count + 1} (the last of the ${count} nodes must be at most ${MAX_NODE_NUMBER})`);
  }
  return n;
}

/**
 * The node names of a fleet: `pattern` with `{n}` replaced by the node numbers from `first` (0001, 0002, ...).
 * Each must be a valid node name (a lower-case RFC 1123 subdomain, as the kubelet's `--hostname-override`), and
 * they must differ.
 */
export function fleetNodeNames(pattern: string, count: number, first = 1): string[] {
  if (!pattern.includes(NODE_INDEX_PLACEHOLDER)) {
    throw new FleetFlagError(`invalid argument ${JSON.stringify(pattern)} for "--node-name-pattern" flag: it must contain ${NODE_INDEX_PLACEHOLDER} (the node number), e.g. ${DEFAULT_NODE_NAME_PATTERN}`);
  }
  const names = Array.from({ length: count }, (_, i) => pattern.split(NODE_INDEX_PLACEHOLDER).join(String(first + i).padStart(4, '0')));
  const bad = names.find((name) => !isDns1123Subdomain(name));
  if (bad !== undefined) {
    throw new FleetFlagError(`invalid argument ${JSON.stringify(pattern)} for "--node-name-pattern" flag: ${JSON.stringify(bad)} is not a valid node name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`);
  }
  return names;
}

/** The endpoint of one node: `template` with `{node}` replaced by the node name. */
export function endpointForNode(template: string, nodeName: string): string {
  return template.split(NODE_NAME_PLACEHOLDER).join(nodeName);
}

/** Checks that an endpoint template gives each node its own socket; `flag` names where it came from. */
export function checkEndpointTemplate(template: string, flag: string): void {
  if (!template.includes(NODE_NAME_PLACEHOLDER)) {
    throw new FleetFlagError(`${flag} ${JSON.stringify(template)} must contain ${NODE_NAME_PLACEHOLDER} with --nodes: each node has its own CRI socket, e.g. unix:///tmp/fleet/${NODE_NAME_PLACEHOLDER}.sock`);
  }
}

function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
