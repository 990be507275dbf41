import { createHash } from 'node:crypto';

/**
 * A stable, plausible process id for a sandbox or container (the simulator runs no processes): the same id
 * always gets the same pid, in verbose status info and in the spans that carry one (containerd's task.pid,
 * sandbox.pid).
 */
export function simulatedPid(id: string): number {
  return 1000 + (parseInt(createHash('sha256').update(id).digest('hex').slice(0, 6), 16) % 4_000_000);
}
