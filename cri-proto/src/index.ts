/**
 * Public API of the cri-proto component: the CRI v1 (runtime.v1) wire contract.
 *
 * Importing this module does not load @grpc/grpc-js (see load-cri.ts).
 */
export * from './load-cri';
export * from './cri-methods';
export * from './values';

/**
 * Generated CRI v1 types, e.g. `cri.PodSandboxConfig` (input shape), `cri.PodSandboxConfig__Output`
 * (decoded shape), `cri.Signal` (enum const + type), `cri.RuntimeServiceHandlers`.
 */
export * as cri from './types';
