/**
 * A setting the kubelet refuses while starting, after its config file loaded and validated (cmd/kubelet/app
 * server.go Run → run → RunKubelet → NewMainKubelet): the kubelet logs `"command failed" err=<text>` and exits 1.
 * `kubeletMessage` is the kubelet's text; `message` adds ours, naming the field and the fix, which upstream's
 * texts mostly do not.
 */
export class KubeletStartError extends Error {
  constructor(
    readonly kubeletMessage: string,
    /** KubeletConfiguration field (or flag) at fault. */
    readonly field: string,
    /** What to write instead. */
    readonly fix: string,
  ) {
    super(`${kubeletMessage} (field ${field}: ${fix})`);
    this.name = 'KubeletStartError';
  }
}
