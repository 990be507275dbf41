import { readFileSync } from 'node:fs';

/**
 * Stop with the parent. `npx kubelet-sim` and `npm start` run the command through `sh -c`, and npm forwards
 * SIGINT/SIGTERM only to that shell (npm's @npmcli/run-script `signal-manager.js`); dash does not pass the
 * signal on, so `kill <npx pid>` used to leave the simulator running, re-parented to init. Node has no
 * parent-death signal (Linux PR_SET_PDEATHSIG), so an unref'd timer checks the parent instead: when
 * `process.ppid` changes, the parent is gone and the process shuts down as on SIGTERM. The grandparent is
 * watched too (through /proc, where there is one): `kill -9 <npx pid>` kills npm alone and leaves its `sh -c`
 * waiting on us, so only the grandparent's disappearance tells.
 *
 * The watch is on when the process was started through npm (`npm_command` set: npx, npm exec, npm start,
 * npm test) or when KUBELET_CRI_SIM_EXIT_WITH_PARENT=1 (the demo sets it for its children); =0 turns it off.
 * A process started directly from a shell is left alone, so `nohup kubelet-sim ... &` keeps running.
 * With =1 only the parent is watched: the demo spawns its children itself and outlives whoever started it
 * (`nohup node dist/node-demo/src/main.js … &` from a script that then exits must keep its fleet running).
 */
export const EXIT_WITH_PARENT_ENV = 'KUBELET_CRI_SIM_EXIT_WITH_PARENT';

export const PARENT_CHECK_PERIOD_MS = 500;

export interface ParentWatchOptions {
  /** Called once, with the pid of the ancestor that went away. */
  onParentGone(ancestorPid: number): void;
  env?: NodeJS.ProcessEnv;
  checkPeriodMs?: number;
  getParentPid?: () => number;
  /** The parent of `pid`, or undefined when it cannot be read (no /proc, or `pid` is gone). */
  getParentOf?: (pid: number) => number | undefined;
}

/** Whether this process should stop when its parent goes away (see the module comment). */
export function shouldExitWithParent(env: NodeJS.ProcessEnv = process.env): boolean {
  return ancestorsToWatch(env) !== 'none';
}

/** none; the parent alone (a process that spawned us and handles its own lifetime); or parent and grandparent (npm's `sh -c`). */
export function ancestorsToWatch(env: NodeJS.ProcessEnv = process.env): 'none' | 'parent' | 'parent-and-grandparent' {
  const explicit = env[EXIT_WITH_PARENT_ENV];
  if (explicit === '1' || explicit === 'true') return 'parent';
  if (explicit === '0' || explicit === 'false') return 'none';
  return env.npm_command !== undefined && env.npm_command !== '' ? 'parent-and-grandparent' : 'none';
}

/** Starts the watch if it applies; returns a function that cancels it. */
export function watchParent(options: ParentWatchOptions): () => void {
  const getParentPid = options.getParentPid ?? (() => process.ppid);
  const getParentOf = options.getParentOf ?? procParentOf;
  const parent = getParentPid();
  const watch = ancestorsToWatch(options.env);
  // Already orphaned (or started by init): there is no parent to outlive.
  if (watch === 'none' || parent <= 1) return () => undefined;
  const grandparent = watch === 'parent-and-grandparent' ? getParentOf(parent) : undefined;
  const watchGrandparent = grandparent !== undefined && grandparent > 1;
  const timer = setInterval(() => {
    let gone: number | undefined;
    if (getParentPid() !== parent) gone = parent;
    else if (watchGrandparent && getParentOf(parent) !== grandparent) gone = grandparent;
    if (gone === undefined) return;
    clearInterval(timer);
    options.onParentGone(gone);
  }, options.checkPeriodMs ?? PARENT_CHECK_PERIOD_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The ppid field of /proc/<pid>/stat (after the parenthesised command name). */
function procParentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}
