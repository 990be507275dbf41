// Conventions shared by the four commands (kubelet-sim, runtime-sim, trace-sink, the demo): exit codes, flag
// hygiene, help text and stopping with the parent. Imports nothing from the components.
export { EXIT_CODE } from './exit-codes';
export { attachNegativeValues, repeatedFlagMessage } from './argv';
export { examplesEpilogue, MAX_EXAMPLE_LINE, packageVersion, versionText } from './help-text';
export type { CliExample } from './help-text';
export { EXIT_WITH_PARENT_ENV, PARENT_CHECK_PERIOD_MS, shouldExitWithParent, watchParent } from './parent-watch';
export type { ParentWatchOptions } from './parent-watch';
export {
  checkEndpointTemplate,
  DEFAULT_NODE_NAME_PATTERN,
  endpointForNode,
  fleetNodeNames,
  FleetFlagError,
  MAX_FLEET_NODES,
  NODE_INDEX_PLACEHOLDER,
  NODE_NAME_PLACEHOLDER,
  parseFirstNodeNumberFlag,
  parseNodesFlag,
} from './fleet-nodes';
export { onShutdownSignals, SHUTDOWN_SIGNALS } from './shutdown-signals';
export type { ShutdownSignal, ShutdownSignalOptions } from './shutdown-signals';
