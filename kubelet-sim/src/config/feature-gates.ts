/**
 * The kubelet's feature gates, as far as a KubeletConfiguration `featureGates` map
 * can touch them, and the component-base rules for setting them.
 *
 * Setting rules: k8s.io/component-base/featuregate/feature_gate.go
 * (`unsafeSetFromMap`): unknown name ⇒ `unrecognized feature gate: <name>` (and stop);
 * a gate locked to its default set to the other value ⇒
 * `cannot set feature gate <name> to <v>, feature is locked to <default>`; setting a
 * GA or deprecated gate logs a warning. The effective spec of a gate is its newest
 * versioned spec whose version is ≤ the emulated release.
 *
 * Registry data: transcribed from kubernetes/kubernetes
 * `test/compatibility_lifecycle/reference/versioned_feature_list.yaml` (a snapshot taken
 * during the 1.34 development cycle) plus the client-go gates the kubelet also
 * registers and the special `AllAlpha`/`AllBeta` gates. Limitations: gates added late
 * in the 1.34 cycle and gates removed before that snapshot are missing, so for older
 * emulated releases a since-removed gate is reported as unrecognized.
 */

import { compareVersions, type KubeletVersion } from './kubelet-version';

export type PreRelease = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';

export interface FeatureSpec {
  default: boolean;
  lockToDefault: boolean;
  preRelease: PreRelease;
  /** Release from which this spec applies. */
  since: KubeletVersion;
}

/**
 * Compact spec lists: space-separated `<stage><default><major.minor>[L]` entries where
 * stage is A(lpha)/B(eta)/G(A)/D(eprecated), default is `+`/`-`, and `L` = locked.
 */
const REGISTRY_DATA: Readonly<Record<string, string>> = {
  AggregatedDiscoveryRemoveBetaType: 'G-1.0 D+1.33',
  AllowDNSOnlyNodeCSR: 'G+1.0 D-1.31',
  AllowInsecureKubeletCertificateSigningRequests: 'G+1.0 D-1.31',
  AllowOverwriteTerminationGracePeriodSeconds: 'G+1.0 D-1.32',
  AllowParsingUserUIDFromCertAuth: 'B+1.33',
  AllowServiceLBStatusOnNonLB: 'G+1.0 D-1.29 D-1.32L',
  AllowUnsafeMalformedObjectDeletion: 'A-1.32',
  AnonymousAuthConfigurableEndpoints: 'A-1.31 B+1.32 G+1.34L',
  AnyVolumeDataSource: 'A-1.18 B+1.24 G+1.33L',
  APIResponseCompression: 'A-1.8 B+1.16',
  APIServerIdentity: 'A-1.20 B+1.26',
  APIServerTracing: 'A-1.22 B+1.27',
  APIServingWithRoutine: 'A-1.30',
  AuthorizeNodeWithSelectors: 'A-1.31 B+1.32 G+1.34L',
  AuthorizeWithSelectors: 'A-1.31 B+1.32 G+1.34L',
  BtreeWatchCache: 'B+1.32 G+1.33L',
  CBORServingAndStorage: 'A-1.32',
  ClearingNominatedNodeNameAfterBinding: 'B+1.34',
  CloudControllerManagerWebhook: 'A-1.27',
  ClusterTrustBundle: 'A-1.27 B-1.33',
  ClusterTrustBundleProjection: 'A-1.29 B-1.33',
  ComponentFlagz: 'A-1.32',
  ComponentSLIs: 'A-1.26 B+1.27 G+1.32L',
  ComponentStatusz: 'A-1.32',
  ConcurrentWatchObjectDecode: 'B-1.31',
  ConsistentListFromCache: 'A-1.28 B+1.31 G+1.34L',
  ContainerCheckpoint: 'A-1.25 B+1.30',
  ContainerStopSignals: 'A-1.33',
  ContextualLogging: 'A-1.24 B+1.30',
  CoordinatedLeaderElection: 'A-1.31 B-1.33',
  // Listed upstream under its Go constant name CPUCFSQuotaPeriod; the gate string is this:
  CustomCPUCFSQuotaPeriod: 'A-1.12',
  CPUManagerPolicyAlphaOptions: 'A-1.23',
  CPUManagerPolicyBetaOptions: 'B+1.23',
  CPUManagerPolicyOptions: 'A-1.22 B+1.23 G+1.33L',
  CRDValidationRatcheting: 'A-1.28 B+1.30 G+1.33L',
  CronJobsScheduledAnnotation: 'B+1.28 G+1.32L',
  CrossNamespaceVolumeDataSource: 'A-1.26',
  CSIMigrationPortworx: 'A-1.23 B-1.25 B+1.31 G+1.33L',
  CSIVolumeHealth: 'A-1.21',
  CustomResourceFieldSelectors: 'A-1.30 B+1.31 G+1.32L',
  DeclarativeValidation: 'B+1.33',
  DeclarativeValidationTakeover: 'B-1.33',
  DeploymentReplicaSetTerminatingReplicas: 'A-1.33',
  DetectCacheInconsistency: 'B+1.34',
  DevicePluginCDIDevices: 'A-1.28 B+1.29 G+1.31L',
  DisableAllocatorDualWrite: 'A-1.31 B-1.33 G+1.34',
  DisableCPUQuotaWithExclusiveCPUs: 'B+1.33',
  DisableNodeKubeProxyVersion: 'A-1.29 D-1.31 D+1.33',
  DRAAdminAccess: 'A-1.32',
  DRADeviceTaints: 'A-1.33',
  DRAPartitionableDevices: 'A-1.33',
  DRAPrioritizedList: 'A-1.33',
  DRAResourceClaimDeviceStatus: 'A-1.32 B+1.33',
  DRASchedulerFilterTimeout: 'B+1.34',
  DynamicResourceAllocation: 'A-1.26 B-1.32',
  EventedPLEG: 'A-1.26',
  ExecProbeTimeout: 'G+1.20',
  ExternalServiceAccountTokenSigner: 'A-1.32 B+1.34',
  GitRepoVolumeDriver: 'G+1.0 D-1.33',
  GracefulNodeShutdown: 'A-1.20 B+1.21',
  GracefulNodeShutdownBasedOnPodPriority: 'A-1.23 B+1.24',
  HonorPVReclaimPolicy: 'A-1.23 B+1.31 G+1.33L',
  HPAConfigurableTolerance: 'A-1.33',
  HPAScaleToZero: 'A-1.16',
  ImageMaximumGCAge: 'A-1.29 B+1.30',
  ImageVolume: 'A-1.31 B-1.33',
  InPlacePodVerticalScaling: 'A-1.27 B+1.33',
  InPlacePodVerticalScalingAllocatedStatus: 'A-1.32 D-1.33',
  InPlacePodVerticalScalingExclusiveCPUs: 'A-1.32',
  InTreePluginPortworxUnregister: 'A-1.23',
  JobBackoffLimitPerIndex: 'A-1.28 B+1.29 G+1.33L',
  JobManagedBy: 'A-1.30 B+1.32',
  JobPodReplacementPolicy: 'A-1.28 B+1.29 G+1.34L',
  JobSuccessPolicy: 'A-1.30 B+1.31 G+1.33L',
  KMSv1: 'G+1.0 D+1.28 D-1.29',
  KubeletCgroupDriverFromCRI: 'A-1.28 B+1.31 G+1.34L',
  KubeletCrashLoopBackOffMax: 'A-1.32',
  KubeletEnsureSecretPulledImages: 'A-1.33',
  KubeletFineGrainedAuthz: 'A-1.32 B+1.33',
  KubeletInUserNamespace: 'A-1.22',
  KubeletPodResourcesDynamicResources: 'A-1.27',
  KubeletPodResourcesGet: 'A-1.27',
  KubeletPodResourcesListUseActivePods: 'G-1.0 D+1.34',
  KubeletPSI: 'A-1.33',
  KubeletRegistrationGetOnExistsOnly: 'G+1.0 D-1.32',
  KubeletSeparateDiskGC: 'A-1.29 B+1.31',
  KubeletServiceAccountTokenForCredentialProviders: 'A-1.33',
  KubeletTracing: 'A-1.25 B+1.27 G+1.34L',
  LegacySidecarContainers: 'G+1.0 D-1.33',
  ListFromCacheSnapshot: 'A-1.33 B+1.34',
  LoadBalancerIPMode: 'A-1.29 B+1.30 G+1.32L',
  LocalStorageCapacityIsolationFSQuotaMonitoring: 'A-1.15 B-1.31',
  LogarithmicScaleDown: 'A-1.21 B+1.22 G+1.31L',
  LoggingAlphaOptions: 'A-1.24',
  LoggingBetaOptions: 'B+1.24',
  MatchLabelKeysInPodAffinity: 'A-1.29 B+1.31 G+1.33L',
  MatchLabelKeysInPodTopologySpread: 'A-1.25 B+1.27',
  MatchLabelKeysInPodTopologySpreadSelectorMerge: 'B+1.34',
  MaxUnavailableStatefulSet: 'A-1.24',
  MemoryManager: 'A-1.21 B+1.22 G+1.32L',
  MemoryQoS: 'A-1.22',
  MultiCIDRServiceAllocator: 'A-1.27 B-1.31 G+1.33 G+1.34L',
  MutableCSINodeAllocatableCount: 'A-1.33',
  MutatingAdmissionPolicy: 'A-1.32 B-1.34',
  NFTablesProxyMode: 'A-1.29 B+1.31 G+1.33L',
  NodeInclusionPolicyInPodTopologySpread: 'A-1.25 B+1.26 G+1.33L',
  NodeLogQuery: 'A-1.27 B-1.30',
  NodeSwap: 'A-1.22 B-1.28 B+1.30 G+1.34L',
  NominatedNodeNameForExpectation: 'B+1.34',
  OpenAPIEnums: 'A-1.23 B+1.24',
  OrderedNamespaceDeletion: 'B-1.30 B+1.33 G+1.34L',
  PodAndContainerStatsFromCRI: 'A-1.23',
  PodDeletionCost: 'A-1.21 B+1.22',
  PodIndexLabel: 'B+1.28 G+1.32L',
  PodLevelResources: 'A-1.32',
  PodLifecycleSleepAction: 'A-1.29 B+1.30',
  PodLifecycleSleepActionAllowZero: 'A-1.32 B+1.33',
  PodLogsQuerySplitStreams: 'A-1.32',
  PodObservedGenerationTracking: 'A-1.33',
  PodReadyToStartContainersCondition: 'A-1.28 B+1.29',
  PodSchedulingReadiness: 'A-1.26 B+1.27 G+1.30L',
  PodTopologyLabelsAdmission: 'A-1.33',
  PortForwardWebsockets: 'A-1.30 B+1.31',
  PreferSameTrafficDistribution: 'A-1.33 B+1.34',
  PreventStaticPodAPIReferences: 'B+1.34',
  ProcMountType: 'A-1.12 B-1.31 B+1.33',
  QOSReserved: 'A-1.11',
  RecoverVolumeExpansionFailure: 'A-1.23 B+1.32 G+1.34L',
  RecursiveReadOnlyMounts: 'A-1.30 B+1.31 G+1.33L',
  ReduceDefaultCrashLoopBackOffDecay: 'A-1.33',
  RelaxedDNSSearchValidation: 'A-1.32 B+1.33 G+1.34L',
  RelaxedEnvironmentVariableValidation: 'A-1.30 B+1.32 G+1.34L',
  RelaxedServiceNameValidation: 'A-1.34',
  ReloadKubeletServerCertificateFile: 'B+1.31',
  RemoteRequestHeaderUID: 'A-1.32 B+1.33',
  ResilientWatchCacheInitialization: 'B+1.31 G+1.34L',
  ResourceHealthStatus: 'A-1.31',
  RetryGenerateName: 'A-1.30 B+1.31 G+1.32L',
  RotateKubeletServerCertificate: 'A-1.7 B+1.12',
  RuntimeClassInImageCriAPI: 'A-1.29',
  SchedulerAsyncAPICalls: 'B+1.34',
  SchedulerAsyncPreemption: 'A-1.32 B+1.33',
  SchedulerPopFromBackoffQ: 'B+1.33',
  SchedulerQueueingHints: 'B-1.28 B+1.32 G+1.34L',
  SELinuxChangePolicy: 'A-1.32 B+1.33',
  SELinuxMount: 'A-1.30 B-1.33',
  SELinuxMountReadWriteOncePod: 'A-1.25 B-1.27 B+1.28',
  SeparateCacheWatchRPC: 'B+1.28 D-1.33',
  SeparateTaintEvictionController: 'B+1.29 G+1.34L',
  ServiceAccountNodeAudienceRestriction: 'B-1.32 B+1.33',
  ServiceAccountTokenJTI: 'A-1.29 B+1.30 G+1.32L',
  ServiceAccountTokenNodeBinding: 'A-1.29 B+1.31 G+1.33L',
  ServiceAccountTokenNodeBindingValidation: 'A-1.29 B+1.30 G+1.32L',
  ServiceAccountTokenPodNodeInfo: 'A-1.29 B+1.30 G+1.32L',
  ServiceTrafficDistribution: 'A-1.30 B+1.31 G+1.33L',
  SidecarContainers: 'A-1.28 B+1.29 G+1.33L',
  SizeBasedListCostEstimate: 'B+1.34',
  SizeMemoryBackedVolumes: 'A-1.20 B+1.22 G+1.32L',
  StatefulSetAutoDeletePVC: 'A-1.23 B+1.27 G+1.32L',
  StorageCapacityScoring: 'A-1.33',
  StorageNamespaceIndex: 'B+1.30 D+1.33',
  StorageVersionAPI: 'A-1.20',
  StorageVersionHash: 'A-1.14 B+1.15',
  StorageVersionMigrator: 'A-1.30',
  StreamingCollectionEncodingToJSON: 'B+1.33 G+1.34L',
  StreamingCollectionEncodingToProtobuf: 'B+1.33 G+1.34L',
  StrictCostEnforcementForVAP: 'B-1.30 G+1.32L',
  StrictCostEnforcementForWebhooks: 'B-1.30 G+1.32L',
  StrictIPCIDRValidation: 'A-1.33',
  StructuredAuthenticationConfiguration: 'A-1.29 B+1.30 G+1.34L',
  StructuredAuthenticationConfigurationEgressSelector: 'B+1.34',
  StructuredAuthorizationConfiguration: 'A-1.29 B+1.30 G+1.32L',
  SupplementalGroupsPolicy: 'A-1.31 B+1.33',
  SystemdWatchdog: 'B+1.32',
  TokenRequestServiceAccountUIDValidation: 'B+1.34',
  TopologyAwareHints: 'A-1.21 B-1.23 B+1.24 G+1.33L',
  TopologyManagerPolicyAlphaOptions: 'A-1.26',
  TopologyManagerPolicyBetaOptions: 'B-1.26 B+1.28',
  TopologyManagerPolicyOptions: 'A-1.26 B+1.28 G+1.32',
  TranslateStreamCloseWebsocketRequests: 'A-1.29 B+1.30',
  UnauthenticatedHTTP2DOSMitigation: 'B-1.25 B+1.29',
  UnknownVersionInteroperabilityProxy: 'A-1.28',
  UserNamespacesPodSecurityStandards: 'A-1.29',
  UserNamespacesSupport: 'A-1.25 B-1.30 B+1.33',
  VolumeAttributesClass: 'A-1.29 B-1.31',
  WatchCacheInitializationPostStartHook: 'B-1.31',
  WatchFromStorageWithoutResourceVersion: 'B-1.27 D-1.33L',
  WatchList: 'A-1.27 B+1.32 B-1.33',
  WindowsCPUAndMemoryAffinity: 'A-1.32',
  WindowsGracefulNodeShutdown: 'A-1.32',
  WindowsHostNetwork: 'A-1.26 D-1.33',
  WinDSR: 'A-1.14 B+1.33',
  WinOverlay: 'A-1.14 B+1.20',
  // client-go gates registered into the kubelet's gate (k8s.io/client-go/features);
  // treated as known at every supported release, not locked.
  ClientsAllowCBOR: 'A-1.0',
  ClientsPreferCBOR: 'A-1.0',
  InformerResourceVersion: 'A-1.0',
  WatchListClient: 'B-1.0',
};

/** Gates handled specially by component-base (set every unset alpha/beta gate). */
const ALL_ALPHA = 'AllAlpha';
const ALL_BETA = 'AllBeta';

const STAGES: Record<string, PreRelease> = { A: 'ALPHA', B: 'BETA', G: 'GA', D: 'DEPRECATED' };

function parseSpecs(name: string, text: string): FeatureSpec[] {
  return text.split(' ').map((entry) => {
    const m = /^([ABGD])([+-])(\d+)\.(\d+)(L?)$/.exec(entry);
    if (!m) throw new Error(`bad feature registry entry for ${name}: ${entry}`);
    return {
      preRelease: STAGES[m[1]],
      default: m[2] === '+',
      since: { major: Number(m[3]), minor: Number(m[4]) },
      lockToDefault: m[5] === 'L',
    };
  });
}

const REGISTRY: ReadonlyMap<string, readonly FeatureSpec[]> = new Map(
  Object.entries(REGISTRY_DATA).map(([name, text]) => [name, parseSpecs(name, text)]),
);

/**
 * The spec of `name` in kubelet release `v`, or undefined when that release does not
 * know the gate (not registered, or only introduced in a later release).
 */
export function featureSpecAt(name: string, v: KubeletVersion): FeatureSpec | undefined {
  if (name === ALL_ALPHA) return { default: false, lockToDefault: false, preRelease: 'ALPHA', since: { major: 0, minor: 0 } };
  if (name === ALL_BETA) return { default: false, lockToDefault: false, preRelease: 'BETA', since: { major: 0, minor: 0 } };
  const specs = REGISTRY.get(name);
  if (!specs) return undefined;
  let found: FeatureSpec | undefined;
  for (const s of specs) if (compareVersions(s.since, v) <= 0) found = s;
  return found;
}

/** Names of all gates known to release `v` (sorted). */
export function knownFeatureGates(v: KubeletVersion): string[] {
  const names = [ALL_ALPHA, ALL_BETA, ...REGISTRY.keys()].filter((n) => featureSpecAt(n, v) !== undefined);
  return names.sort();
}

export interface FeatureGateEvaluation {
  /** Error texts from component-base `SetFromMap` (empty when the map is acceptable). */
  errors: string[];
  /** Warnings component-base logs while setting (GA / deprecated gates). */
  warnings: string[];
  /** Effective enablement of a gate after applying the map (false for unknown gates). */
  enabled(name: string): boolean;
}

/**
 * Applies a `featureGates` map to release `v`'s gate defaults the way component-base
 * `SetFromMap` does. Keys are processed in sorted order (Go iterates the map in
 * random order; upstream stops at the first unrecognized name).
 */
export function evaluateFeatureGates(gates: Readonly<Record<string, boolean>>, v: KubeletVersion): FeatureGateEvaluation {
  const errors: string[] = [];
  const warnings: string[] = [];
  const explicit = new Map<string, boolean>();
  for (const name of Object.keys(gates).sort()) {
    const value = gates[name];
    const spec = featureSpecAt(name, v);
    if (!spec) {
      errors.push(`unrecognized feature gate: ${name}`);
      break;
    }
    if (spec.lockToDefault && spec.default !== value) {
      errors.push(`cannot set feature gate ${name} to ${value}, feature is locked to ${spec.default}`);
      continue;
    }
    explicit.set(name, value);
    if (name === ALL_ALPHA || name === ALL_BETA) continue;
    if (spec.preRelease === 'DEPRECATED') {
      warnings.push(`Setting deprecated feature gate ${name}=${value}. It will be removed in a future release.`);
    } else if (spec.preRelease === 'GA') {
      warnings.push(`Setting GA feature gate ${name}=${value}. It will be removed in a future release.`);
    }
  }
  const enabled = (name: string): boolean => {
    const spec = featureSpecAt(name, v);
    if (!spec) return false;
    const set = explicit.get(name);
    if (set !== undefined) return set;
    if (spec.preRelease === 'ALPHA' && explicit.has(ALL_ALPHA)) return explicit.get(ALL_ALPHA) as boolean;
    if (spec.preRelease === 'BETA' && explicit.has(ALL_BETA)) return explicit.get(ALL_BETA) as boolean;
    return spec.default;
  };
  return { errors, warnings, enabled };
}
