import { KubeletConfigError, loadKubeletConfigData } from '../../kubelet-sim/src/config';
import { formatManifestError, parsePodManifest } from '../../kubelet-sim/src/pod-sources/pod-manifest';
import { checkStartupSettings } from '../../kubelet-sim/src/startup-checks';
import { KubeletStartError } from '../../kubelet-sim/src/util/kubelet-start-error';
import { describeCorpus } from '../helpers/hostile-corpus';

// What kubelet-sim reads before it runs a pod: its KubeletConfiguration (load, validate, start-up checks) ...
describeCorpus('kubelet-configuration.yaml', (testCase) => {
  try {
    const { config } = loadKubeletConfigData(testCase.input, { path: '/etc/kubernetes/kubelet.yaml' });
    checkStartupSettings(config, undefined, { onlineCpus: 4 }); // a 4-CPU machine, whatever runs the test
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
