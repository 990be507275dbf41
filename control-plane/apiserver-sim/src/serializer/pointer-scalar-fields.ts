/**
 * Go struct fields that are pointers to a scalar (`*int64`, `*int32`, `*bool`, `*string`): on the wire gogo
 * writes them only when set, so a zero value read for one of these is meaningful and kept; every other scalar
 * is always written and its zero value means "unset" (Go's omitempty), so the decoder leaves it out.
 * Listed from the Go types of k8s.io/api@v0.33.9 (core/v1, coordination/v1, policy/v1 types.go) and
 * k8s.io/apimachinery@v0.33.9 (pkg/apis/meta/v1/types.go), as `<GoType>.<jsonName>`.
 */
export const POINTER_SCALAR_FIELDS: ReadonlySet<string> = new Set([
  'AppArmorProfile.localhostProfile', 'AzureDiskVolumeSource.fsType', 'AzureDiskVolumeSource.readOnly', 'AzureFilePersistentVolumeSource.secretNamespace',
  'CSIVolumeSource.fsType', 'CSIVolumeSource.readOnly', 'ClientIPConfig.timeoutSeconds', 'ClusterTrustBundleProjection.name',
  'ClusterTrustBundleProjection.optional', 'ClusterTrustBundleProjection.signerName', 'ConfigMap.immutable', 'ConfigMapEnvSource.optional',
  'ConfigMapKeySelector.optional', 'ConfigMapProjection.optional', 'ConfigMapVolumeSource.defaultMode', 'ConfigMapVolumeSource.optional',
  'ContainerStatus.started', 'DeleteOptions.gracePeriodSeconds', 'DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential', 'DeleteOptions.orphanDependents',
  'DownwardAPIVolumeFile.mode', 'DownwardAPIVolumeSource.defaultMode', 'EndpointAddress.nodeName', 'EndpointPort.appProtocol',
  'FCVolumeSource.lun', 'GRPCAction.service', 'GlusterfsPersistentVolumeSource.endpointsNamespace', 'ISCSIPersistentVolumeSource.initiatorName',
  'ISCSIVolumeSource.initiatorName', 'KeyToPath.mode', 'LeaseSpec.holderIdentity', 'LeaseSpec.leaseDurationSeconds',
  'LeaseSpec.leaseTransitions', 'LeaseSpec.preferredHolder', 'ListMeta.remainingItemCount', 'ListOptions.sendInitialEvents',
  'ListOptions.timeoutSeconds', 'LocalVolumeSource.fsType', 'NodeFeatures.supplementalGroupsPolicy', 'NodeRuntimeHandlerFeatures.recursiveReadOnlyMounts',
  'NodeRuntimeHandlerFeatures.userNamespaces', 'NodeSwapStatus.capacity', 'ObjectMeta.deletionGracePeriodSeconds', 'OwnerReference.blockOwnerDeletion',
  'OwnerReference.controller', 'PatchOptions.force', 'PersistentVolumeClaimSpec.storageClassName', 'PersistentVolumeClaimSpec.volumeAttributesClassName',
  'PersistentVolumeClaimStatus.currentVolumeAttributesClassName', 'PersistentVolumeSpec.volumeAttributesClassName', 'PodDNSConfigOption.value', 'PodLogOptions.limitBytes',
  'PodLogOptions.sinceSeconds', 'PodLogOptions.stream', 'PodLogOptions.tailLines', 'PodResourceClaim.resourceClaimName',
  'PodResourceClaim.resourceClaimTemplateName', 'PodResourceClaimStatus.resourceClaimName', 'PodSecurityContext.fsGroup', 'PodSecurityContext.runAsGroup',
  'PodSecurityContext.runAsNonRoot', 'PodSecurityContext.runAsUser', 'PodSpec.activeDeadlineSeconds', 'PodSpec.automountServiceAccountToken',
  'PodSpec.enableServiceLinks', 'PodSpec.hostUsers', 'PodSpec.priority', 'PodSpec.runtimeClassName',
  'PodSpec.setHostnameAsFQDN', 'PodSpec.shareProcessNamespace', 'PodSpec.terminationGracePeriodSeconds', 'PortStatus.error',
  'Preconditions.resourceVersion', 'Probe.terminationGracePeriodSeconds', 'ProjectedVolumeSource.defaultMode', 'ReplicationControllerSpec.replicas',
  'SeccompProfile.localhostProfile', 'Secret.immutable', 'SecretEnvSource.optional', 'SecretKeySelector.optional',
  'SecretProjection.optional', 'SecretVolumeSource.defaultMode', 'SecretVolumeSource.optional', 'SecurityContext.allowPrivilegeEscalation',
  'SecurityContext.privileged', 'SecurityContext.readOnlyRootFilesystem', 'SecurityContext.runAsGroup', 'SecurityContext.runAsNonRoot',
  'SecurityContext.runAsUser', 'ServiceAccount.automountServiceAccountToken', 'ServiceAccountTokenProjection.expirationSeconds', 'ServicePort.appProtocol',
  'ServiceSpec.allocateLoadBalancerNodePorts', 'ServiceSpec.loadBalancerClass', 'ServiceSpec.trafficDistribution', 'Toleration.tolerationSeconds',
  'TopologySpreadConstraint.minDomains', 'TypedLocalObjectReference.apiGroup', 'TypedObjectReference.apiGroup', 'TypedObjectReference.namespace',
  'WindowsSecurityContextOptions.gmsaCredentialSpec', 'WindowsSecurityContextOptions.gmsaCredentialSpecName', 'WindowsSecurityContextOptions.hostProcess', 'WindowsSecurityContextOptions.runAsUserName',
]);
