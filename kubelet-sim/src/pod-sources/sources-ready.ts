/**
 * Whether every pod config source has delivered its first listing (pkg/kubelet/config/sources.go
 * SourcesReady, over config.go PodConfig.SeenAllSources). The kubelet registers one source per configured
 * channel (`file` when staticPodPath is set, `http` for a manifest URL, `api` with an API server); a source
 * counts as seen once the sync loop has handled an update from it, and the merger sends an empty one for a
 * first listing with no pods, so an empty or missing manifest directory still makes the file source ready.
 * With no sources registered, everything is ready at once. Until then the kubelet removes nothing it might
 * still be told about: housekeeping (HandlePodCleanups) is skipped and container GC runs with
 * allSourcesReady=false.
 */
export class SourcesReady {
  private readonly sources: ReadonlySet<string>;
  private readonly seen = new Set<string>();

  constructor(sources: Iterable<string>) {
    this.sources = new Set(sources);
  }

  /** sourcesImpl.AddSource: the sync loop handled an update from `source`. */
  addSource(source: string): void {
    this.seen.add(source);
  }

  /** sourcesImpl.AllReady. */
  allReady(): boolean {
    for (const source of this.sources) if (!this.seen.has(source)) return false;
    return true;
  }
}
