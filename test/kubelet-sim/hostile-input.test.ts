import { uniformMachine } from '../../kubelet-sim/src/cm/machine-topology';
import { KubeletConfigError, loadKubeletConfigData } from '../../kubelet-sim/src/config';
import { formatManifestError, parsePodManifest } from '../../kubelet-sim/src/pod-sources/pod-manifest';
import { checkStartupSettings } from '../../kubelet-sim/src/startup-checks';
import { KubeletStartError } from '../../kubelet-sim/src/util/kubelet-start-error';
import { describeCorpus } from '../helpers/hostile-corpus';

// What kubelet-sim reads before it runs a pod: its KubeletConfiguration (load, validate, start-up checks) ...
describeCorpus('kubelet-configuration.yaml', (testCase) => {
  try {
    const { config } = loadKubeletConfigData(testCase.input, { path: '/etc/kubernetes/kubelet.yaml' });
    // A 4-CPU machine with one NUMA node on one socket and 16 GiB, whatever runs the test, unless the case's
    // `with` gives cpus, numaNodes, sockets or memoryGi.
    const spec = { cpus: 4, numaNodes: 1, sockets: 1, memoryGi: 16, ...Object.fromEntries(Object.entries(testCase.with ?? {}).map(([k, v]) => [k, Number(v)])) };
    checkStartupSettings(config, undefined, {
      onlineCpus: spec.cpus,
      topology: uniformMachine({ cpus: spec.cpus, numaNodes: spec.numaNodes, sockets: spec.sockets, memoryBytes: spec.memoryGi * 2 ** 30 }),
    });
    return undefined;
  } catch (err) {
    if (err instanceof KubeletConfigError || err instanceof KubeletStartError) return err.message;
    throw err;
  }
});

// ... and static pod manifests (what the file source logs and skips).
describeCorpus('pod-manifests.yaml', (testCase) => {
  const { parsed } = parsePodManifest(testCase.input);
  return parsed.errors === undefined ? undefined : parsed.errors.map(formatManifestError).join('; ');
});
