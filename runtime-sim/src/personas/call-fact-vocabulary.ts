/**
 * The facts a persona file may name: `{fact}` placeholders in its templates and `when:` conditions on
 * its log events. call-facts.ts gathers them for each CRI call; persona-version-spec.ts checks a file
 * against these lists, so a misspelt fact or value fails at load naming the field and what is allowed.
 */
import { GO_GRPC_CODE_NAMES } from '../../../cri-proto/src/grpc-status';
import { CONTAINER_STATE } from '../state/types';

export type ConditionValue = string | boolean;

export interface ConditionFactSpec {
  /** Allowed values; `true`/`false` for yes/no facts. */
  readonly values: readonly ConditionValue[];
  /** Learnt only when the call has ended: usable in `at: end` lines only. */
  readonly endOnly: boolean;
  readonly meaning: string;
}

const YES_NO = [true, false] as const;

/**
 * Facts a `when:` condition may test. Container and sandbox facts describe the object as it was when
 * the call arrived. A yes/no fact nobody learnt (e.g. `hostNetwork` of an unknown sandbox) counts as false;
 * a named-value fact nobody learnt matches nothing.
 */
export const CONDITION_FACTS = {
  outcome: { values: ['success', 'failure'], endOnly: true, meaning: 'how the call ended' },
  errorCode: {
    values: Object.values(GO_GRPC_CODE_NAMES).filter((name) => name !== 'OK'),
    endOnly: true,
    meaning: "the failure's gRPC code as Go names it (codes.NotFound prints NotFound)",
  },
  sandboxFound: { values: YES_NO, endOnly: false, meaning: 'the request names a sandbox the runtime has' },
  hostNetwork: { values: YES_NO, endOnly: false, meaning: 'the sandbox uses the node network namespace' },
  containerFound: { values: YES_NO, endOnly: false, meaning: 'the request names a container the runtime has' },
  containerState: { values: Object.values(CONTAINER_STATE), endOnly: false, meaning: "the container's CRI state" },
  timeoutPositive: { values: YES_NO, endOnly: false, meaning: "StopContainer's timeout is above zero (stop signal before SIGKILL)" },
  stopSignalSent: {
    values: YES_NO,
    endOnly: false,
    meaning: 'an earlier StopContainer with a timeout above zero already sent this container its stop signal',
  },
  containerImagePresent: { values: YES_NO, endOnly: false, meaning: "the container's image is still in the image store" },
  killed: { values: YES_NO, endOnly: true, meaning: "this call's SIGKILL ended the running container (timeout 0, or the timeout passed)" },
  logPathsSet: {
    values: YES_NO,
    endOnly: false,
    meaning: "CreateContainer's sandbox_config.log_directory and config.log_path are both non-empty",
  },
  podCidrSet: { values: YES_NO, endOnly: false, meaning: 'UpdateRuntimeConfig carries a pod CIDR' },
} as const satisfies Record<string, ConditionFactSpec>;

export type ConditionFact = keyof typeof CONDITION_FACTS;

/** Facts a template may print, besides the condition facts (which print as their value). */
export const TEMPLATE_FACTS = [
  // ids and names, from the request, the response and the state
  'requestSandboxId', 'sandboxId', 'sandboxName', 'sandboxPid',
  'requestContainerId', 'containerId', 'containerName', 'containerImageRef',
  'image', 'imageRef', 'imageRefResult', 'registryHost',
  'timeout', 'elapsed', 'stopSignalGo', 'portForwardUrl',
  'sandboxLogDirectory', 'containerLogPath',
  // Go's %v / %+v of request fields, as containerd 1.6 prints them (gogo-protobuf String())
  'sandboxMetadataGogo', 'containerMetadataGogo', 'linuxResourcesGogo', 'windowsResourcesGogo',
  'containerFilterGogo', 'imageFilterGogo', 'portsGo',
] as const;

export type TemplateFact = (typeof TEMPLATE_FACTS)[number];

const KNOWN_FACTS: ReadonlySet<string> = new Set<string>([...TEMPLATE_FACTS, ...Object.keys(CONDITION_FACTS)]);

/** The `{name}` placeholders of `template` that name no known fact. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]).filter((name) => !KNOWN_FACTS.has(name));
}

export function isConditionFact(name: string): name is ConditionFact {
  return Object.prototype.hasOwnProperty.call(CONDITION_FACTS, name);
}
