/**
 * The benchmark's progress on stderr: on a terminal a cli-progress bar redrawn every second (runs done,
 * elapsed, ETA, the run in progress); otherwise (a pipe, a CI log) one line per run. The ETA is the mean wall
 * time of the runs done so far times the runs left, and before the first run ends an estimate from the
 * configured windows (cli-progress's own ETA would say nothing until then).
 */
import { SingleBar } from 'cli-progress';

export class ProgressEta {
  private readonly startedAt = Date.now();
  private done = 0;
  private label = '';
  private readonly bar: SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `write` receives the plain lines when `stream` is not a terminal; `estimateMsPerRun` is the first ETA's
   * guess of one run's wall time.
   */
  constructor(
    private readonly total: number,
    private readonly write: (line: string) => void,
    private readonly estimateMsPerRun: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    if (stream.isTTY) {
      this.bar = new SingleBar({
        stream,
        format: '[{bar}] {value}/{total} runs | elapsed {elapsed} | ETA {eta_estimate} | {label}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        fps: 2,
      });
    }
  }

  /** Reports that run `label` is starting. */
  starting(label: string): void {
    this.label = label;
    if (this.bar === undefined) {
      this.write(this.line());
      return;
    }
    if (this.timer === undefined) {
      this.bar.start(this.total, this.done, this.payload());
      this.timer = setInterval(() => this.bar?.update(this.done, this.payload()), 1000);
      this.timer.unref();
    } else {
      this.bar.update(this.done, this.payload());
    }
  }

  finished(): void {
    this.done += 1;
    this.bar?.update(this.done, this.payload());
    if (this.done >= this.total) this.stop();
  }

  /** Stops redrawing (idempotent); a bar left part-way stays on screen. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.bar?.stop();
  }

  /** Milliseconds left: the mean of the runs done so far (or the estimate) times the runs left. */
  remainingMs(): number {
    const elapsed = Date.now() - this.startedAt;
    const perRun = this.done === 0 ? this.estimateMsPerRun : elapsed / this.done;
    return Math.max(0, perRun * (this.total - this.done) - (this.done === 0 ? elapsed : 0));
  }

  private payload(): { elapsed: string; eta_estimate: string; label: string } {
    return { elapsed: formatSeconds(Date.now() - this.startedAt), eta_estimate: formatSeconds(this.remainingMs()), label: this.label };
  }

  private line(): string {
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const p = this.payload();
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} elapsed ${p.elapsed} ETA ${p.eta_estimate}  ${this.label}`;
  }
}

export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
