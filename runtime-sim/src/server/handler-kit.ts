/**
 * Plumbing shared by the CRI handlers: simulated latency, waiting for a stop to complete on the
 * runtime's clock, and routing every failure through toStatus(). grpc-js is referenced by type only.
 */
import type { handleUnaryCall } from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { IMMEDIATE_TURNS, type TurnGate } from '../../../cri-proto/src/transport/loop-turns';
import { NS_PER_MS } from '../state/clock';
import type { RuntimeState } from '../state/runtime-state';
import type { CallModel } from '../model/call-decider';
import type { CriCallTracing } from '../tracing/cri-call-tracing';
import { toServiceError } from './to-status';

export interface HandlerOptions {
  /** Version.runtime_version to report. Default: the persona's (CRI-O "1.33.0", containerd "v2.1.0"). */
  readonly personaVersion?: string;
  /** Simulated processing time per call, in milliseconds, by RPC name (e.g. "RunPodSandbox"). Default 0. */
  readonly latency?: (method: string) => number;
  /** How to wait; injectable so tests can drive a fake clock. Default: setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Latency/fault model asked before each call for a delay and an injected error (../model/call-decider.ts). */
  readonly model?: CallModel;
  /** The persona version's span layers around each call (../tracing/cri-call-tracing.ts). Default: none. */
  readonly tracing?: CriCallTracing;
  /** Turn-taking on the event loop (../../../cri-proto/src/transport/loop-turns.ts); the server passes the process's. Default: none. */
  readonly turns?: TurnGate;
}

export interface HandlerContext {
  readonly state: RuntimeState;
  readonly personaVersion: string;
  latencyMs(method: string): number;
  sleep(ms: number): Promise<void>;
  readonly model?: CallModel;
  readonly tracing?: CriCallTracing;
  readonly turns: TurnGate;
}

/** Longest delay one Node timer holds (a larger one fires at once, with a TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    // A model may ask for more than a timer holds (a runtime that takes days): wait in pieces.
    const wait = (left: number): void => {
      if (left > MAX_TIMER_MS) setTimeout(() => wait(left - MAX_TIMER_MS), MAX_TIMER_MS);
      else setTimeout(resolve, left);
    };
    wait(ms);
  });
}

export function createHandlerContext(state: RuntimeState, options: HandlerOptions = {}): HandlerContext {
  const latency = options.latency;
  return {
    state,
    personaVersion: options.personaVersion ?? state.profile.defaultRuntimeVersion,
    latencyMs(method: string): number {
      if (latency === undefined) return 0;
      const ms = latency(method);
      return Number.isFinite(ms) && ms > 0 ? ms : 0;
    },
    sleep: options.sleep ?? defaultSleep,
    model: options.model,
    tracing: options.tracing,
    turns: options.turns ?? IMMEDIATE_TURNS,
  };
}

/** Sleeps a reply may take to reach its completion instant (the first, plus re-waits after an early timer). */
const MAX_COMPLETION_WAITS = 4;

/** A handler's answer; `completesAtNs` makes the reply wait until the runtime's clock reaches it. */
export interface Reply<Res> {
  readonly response: Res;
  readonly completesAtNs?: bigint;
  /** The runtime fails the call once `completesAtNs` is reached (e.g. containerd's ExecSync timeout). */
  readonly failure?: unknown;
}

export function unaryHandler<Req, Res>(
  ctx: HandlerContext,
  method: string,
  fn: (request: Req) => Reply<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const run = async (): Promise<Res> => {
      const latency = ctx.latencyMs(method);
      if (latency > 0) await ctx.sleep(latency);
      // Runtime model: its delay, then its injected error instead of the call (the state is untouched).
      const decision = ctx.model?.decide(method, call.request);
      if (decision !== undefined && decision.delayMs > 0) await ctx.sleep(decision.delayMs);
      if (decision?.hang === true) {
        // A wedged runtime: no answer, no state change. The caller's deadline ends the call on its side; here,
        // as in grpc-go when a handler never returns, the SERVER span is never ended, so never exported. A
        // fresh promise per call, referenced by nothing, so a hung call leaves nothing behind.
        return new Promise<Res>(() => undefined);
      }
      if (decision?.error !== undefined) throw decision.error;
      const reply = fn(call.request);
      if (reply.completesAtNs !== undefined) {
        // libuv timers run on a cached millisecond loop clock and can fire up to a millisecond early, before the
        // runtime's nanosecond clock reaches the instant (then e.g. a SIGKILL at the stop timeout had not yet
        // happened when the reply read the state): wait again until it has, a bounded number of times.
        for (let tries = 0; tries < MAX_COMPLETION_WAITS; tries++) {
          const waitNs = reply.completesAtNs - ctx.state.nowNs();
          if (waitNs <= 0n) break;
          await ctx.sleep(Number((waitNs + NS_PER_MS - 1n) / NS_PER_MS));
        }
      }
      if (reply.failure !== undefined) throw reply.failure;
      return reply.response;
    };
    // Called in the otelgrpc server span's context, so the span layers find that span.
    const start = (): void =>
      void (ctx.tracing ? ctx.tracing.traceCall(method, call.request, run) : run()).then(
        (response) => callback(null, response),
        (err: unknown) => callback(toServiceError(err), null),
      );
    // Requests decoded from one socket read take turns, so each answer is written before the next call runs
    // (loop-turns.ts). The SERVER span started when grpc-js handed the call over, as otelgrpc's starts when
    // grpc-go has read the request headers: a call waiting for its turn waits inside it, in the runtime.
    const turn = ctx.turns.take();
    if (turn === undefined) start();
    else void turn.then(context.bind(context.active(), start));
  };
}
