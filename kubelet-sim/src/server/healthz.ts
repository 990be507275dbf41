import type { Clock } from '../util/clock';
import type { HandlerResult } from './restful-container';

/** A named health check (k8s.io/apiserver pkg/server/healthz HealthChecker): an error message, or undefined when healthy. */
export interface HealthChecker {
  readonly name: string;
  check(): string | undefined;
}

/** The names and limits healthz.go uses. */
export const HEALTHZ = {
  PATH: '/healthz',
  PING: 'ping',
  LOG: 'log',
  /** LogHealthz fails when the log flush loop has not run for this long. */
  LOG_BLOCKED_AFTER_MS: 2 * 60_000,
  /** How often LogHealthz's loop flushes the log and records that it could. */
  LOG_FLUSH_PERIOD_MS: 60_000,
} as const;

/** PingHealthz: always healthy. */
export const PING_HEALTHZ: HealthChecker = { name: HEALTHZ.PING, check: () => undefined };

/** NamedCheck(name, fn). */
export function namedCheck(name: string, check: () => string | undefined): HealthChecker {
  return { name, check };
}

/**
 * LogHealthz: the first check starts a loop that flushes the log every minute and records when it last
 * could; the check fails with `logging blocked` when that is two minutes old. kubelet-sim writes its log
 * synchronously, so the loop only stalls when the event loop does, which is what the check then reports.
 */
export class LogHealthz implements HealthChecker {
  readonly name = HEALTHZ.LOG;
  private lastVerifiedMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly clock: Clock, private readonly flush: () => void = () => undefined) {}

  check(): string | undefined {
    if (this.lastVerifiedMs === undefined) {
      this.lastVerifiedMs = this.clock.nowMs();
      if (!this.stopped) this.timer = setInterval(() => this.verify(), HEALTHZ.LOG_FLUSH_PERIOD_MS).unref();
    }
    return this.clock.nowMs() - this.lastVerifiedMs < HEALTHZ.LOG_BLOCKED_AFTER_MS ? undefined : 'logging blocked';
  }

  /** One pass of the flush loop (exported so tests drive it without timers). */
  verify(): void {
    this.flush();
    this.lastVerifiedMs = this.clock.nowMs();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

const TEXT_HEADERS = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } as const;

/** Go http.Error: the message plus a newline, as plain text. */
export function goHttpError(message: string, status: number): HandlerResult {
  return { status, headers: { ...TEXT_HEADERS }, body: `${message}\n` };
}

/**
 * handleRootHealth (healthz.go): runs every check not excluded by `?exclude=<name>`; all healthy ⇒ `ok`
 * (or, with `?verbose`, one `[+]<name> ok` line per check and `<name> check passed`); any failure ⇒ HTTP 500
 * listing `[-]<name> failed: reason withheld` (the reason only goes to the log) and `<name> check failed`.
 */
export function serveRootHealthz(checks: readonly HealthChecker[], query: URLSearchParams, logFailure?: (line: string) => void): HandlerResult {
  const name = HEALTHZ.PATH.slice(1);
  const excluded = new Set(query.getAll('exclude'));
  const lines: string[] = [];
  const failedNames: string[] = [];
  const failedReasons: string[] = [];
  for (const check of checks) {
    if (excluded.delete(check.name)) {
      lines.push(`[+]${check.name} excluded: ok\n`);
      continue;
    }
    const err = check.check();
    if (err !== undefined) {
      lines.push(`[-]${check.name} failed: reason withheld\n`);
      failedReasons.push(`[-]${check.name} failed: ${err}\n`);
      failedNames.push(check.name);
    } else {
      lines.push(`[+]${check.name} ok\n`);
    }
  }
  if (excluded.size > 0) {
    lines.push(`warn: some health checks cannot be excluded: no matches for ${[...excluded].sort().map((n) => JSON.stringify(n)).join(',')}\n`);
  }
  if (failedNames.length > 0) {
    logFailure?.(`${failedNames.join(',')} check failed: ${name}\n${failedReasons.join('')}`);
    return goHttpError(`${lines.join('')}${name} check failed`, 500);
  }
  if (!query.has('verbose')) return { status: 200, headers: { ...TEXT_HEADERS }, body: 'ok' };
  return { status: 200, headers: { ...TEXT_HEADERS }, body: `${lines.join('')}${name} check passed\n` };
}

/** adaptCheckToHandler: `/healthz/<name>` answers `ok`, or 500 `internal server error: <reason>`. */
export function serveSingleCheck(check: HealthChecker): HandlerResult {
  const err = check.check();
  if (err !== undefined) return goHttpError(`internal server error: ${err}`, 500);
  // Go sniffs the written `ok` as plain text.
  return { status: 200, headers: { 'Content-Type': TEXT_HEADERS['Content-Type'] }, body: 'ok' };
}
