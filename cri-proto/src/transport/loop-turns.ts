/**
 * Turn-taking on one Node event loop, so that a burst of CRI work does not sit in our own queues.
 *
 * Node's http2 does not write a stream's frames when JavaScript hands them over: it schedules the socket
 * write as a native immediate, which runs at the start of the loop's next check phase. So when many CRI
 * calls become ready in one loop turn (30 pod workers woken by one PLEG relist in kubelet-sim, or 30
 * requests decoded from one socket read in runtime-sim), every request or response waits until all of them
 * have been processed, and the last one's latency is the sum of all. In a Go kubelet or runtime each call is
 * its own goroutine and its frames go out as soon as it has written them.
 *
 * A LoopTurns grants at most one job per loop turn, in FIFO order: the first caller of a turn goes on at
 * once (take() returns undefined, so a lone call costs nothing but one setImmediate per busy turn), later
 * callers get a promise that resolves on a later turn, after the frames of the previous job were written.
 * One instance per process (processLoopTurns), as there is one loop.
 */

export interface TurnGate {
  /** undefined: go on now; a promise: resolves when it is the caller's turn. */
  take(): Promise<void> | undefined;
}

export class LoopTurns implements TurnGate {
  /** A job was granted in the current turn (implies a turn() is scheduled). */
  private busy = false;
  private scheduled = false;
  private readonly waiting: (() => void)[] = [];

  take(): Promise<void> | undefined {
    if (!this.busy) {
      this.busy = true;
      this.schedule();
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Callers waiting for a turn. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    this.busy = false;
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.busy = true;
    this.schedule();
    next();
  };
}

/** No turn-taking: every caller goes on at once (for unit tests that step a fake clock). */
export const IMMEDIATE_TURNS: TurnGate = { take: () => undefined };

/** The process's loop. */
export const processLoopTurns = new LoopTurns();
