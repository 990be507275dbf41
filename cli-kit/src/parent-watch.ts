/**
 * Stop with the parent. `npx kubelet-sim` and `npm start` run the command through `sh -c`, and npm forwards
 * SIGINT/SIGTERM only to that shell (npm's @npmcli/run-script `signal-manager.js`); dash does not pass the
 * signal on, so `kill <npx pid>` used to leave the simulator running, re-parented to init. Node has no
 * parent-death signal (Linux PR_SET_PDEATHSIG), so an unref'd timer checks `process.ppid` instead: when it
 * changes, the parent is gone and the process shuts down as on SIGTERM.
 *
 * The watch is on when the process was started through npm (`npm_command` set: npx, npm exec, npm start,
 * npm test) or when KUBELET_CRI_SIM_EXIT_WITH_PARENT=1 (the demo sets it for its children); =0 turns it off.
 * A process started directly from a shell is left alone, so `nohup kubelet-sim ... &` keeps running.
 */
export const EXIT_WITH_PARENT_ENV = 'KUBELET_CRI_SIM_EXIT_WITH_PARENT';

export const PARENT_CHECK_PERIOD_MS = 500;

export interface ParentWatchOptions {
  /** Called once, with the pid of the parent that went away. */
  onParentGone(parentPid: number): void;
  env?: NodeJS.ProcessEnv;
  checkPeriodMs?: number;
  getParentPid?: () => number;
}

/** Whether this process should stop when its parent goes away (see the module comment). */
export function shouldExitWithParent(env: NodeJS.ProcessEnv = process.env): boolean {
  const explicit = env[EXIT_WITH_PARENT_ENV];
  if (explicit === '1' || explicit === 'true') return true;
  if (explicit === '0' || explicit === 'false') return false;
  return env.npm_command !== undefined && env.npm_command !== '';
}

/** Starts the watch if it applies; returns a function that cancels it. */
export function watchParent(options: ParentWatchOptions): () => void {
  const getParentPid = options.getParentPid ?? (() => process.ppid);
  const parent = getParentPid();
  // Already orphaned (or started by init): there is no parent to outlive.
  if (!shouldExitWithParent(options.env) || parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (getParentPid() === parent) return;
    clearInterval(timer);
    options.onParentGone(parent);
  }, options.checkPeriodMs ?? PARENT_CHECK_PERIOD_MS);
  timer.unref();
  return () => clearInterval(timer);
}
