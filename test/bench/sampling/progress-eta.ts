/** A one-line progress report with an ETA from the mean wall time of the runs done so far. */
export class ProgressEta {
  private readonly startedAt = Date.now();
  private done = 0;

  constructor(private readonly total: number, private readonly write: (line: string) => void, private readonly estimateMsPerRun: number) {}

  /** Reports that run `label` is starting. */
  starting(label: string): void {
    const elapsed = Date.now() - this.startedAt;
    const perRun = this.done === 0 ? this.estimateMsPerRun : elapsed / this.done;
    const remainingMs = perRun * (this.total - this.done);
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    this.write(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} elapsed ${formatSeconds(elapsed)} ETA ${formatSeconds(remainingMs)}  ${label}`);
  }

  finished(): void {
    this.done += 1;
  }
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
