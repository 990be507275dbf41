/**
 * Which containers a StopContainer with a timeout above zero has already sent the stop signal, the
 * `stopSignalSent` fact. containerd 1.6 keeps this per container (pkg/cri/store/container/container.go
 * IsStopSignaledWithTimeout, set in pkg/cri/server/container_stop.go) so that a second graceful stop
 * does not signal twice; runtime-sim's state does not keep it, so the persona layer does. Bounded: the
 * oldest entry goes when full (ids are random and never reused, so a forgotten entry is a removed container
 * or a very old one).
 */

/** Containers remembered at most. */
export const MAX_SIGNALLED_CONTAINERS = 4096;

export class StopSignalLedger {
  private readonly signalled = new Set<string>();

  constructor(private readonly capacity: number = MAX_SIGNALLED_CONTAINERS) {}

  has(containerId: string): boolean {
    return this.signalled.has(containerId);
  }

  /** A graceful stop sent the signal to `containerId`. */
  markSignalled(containerId: string): void {
    if (this.signalled.has(containerId)) return;
    if (this.signalled.size >= this.capacity) {
      const oldest = this.signalled.values().next().value;
      if (oldest !== undefined) this.signalled.delete(oldest);
    }
    this.signalled.add(containerId);
  }

  /** The container is gone (RemoveContainer). */
  forget(containerId: string): void {
    this.signalled.delete(containerId);
  }

  get size(): number {
    return this.signalled.size;
  }
}
