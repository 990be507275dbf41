import type { Context, TracerProvider } from '@opentelemetry/api';
import { context as contextApi, createContextKey } from '@opentelemetry/api';

/**
 * Which simulated node a piece of work belongs to, carried in the OpenTelemetry context.
 *
 * One process can run many simulated nodes (`--nodes N`), but OpenTelemetry JS has one global tracer provider
 * and instrumentation-grpc creates every CRI CLIENT and SERVER span through it. Each node's work runs with its
 * own tracer provider in the context under this key; the global provider (./node-routing-tracer-provider.ts)
 * hands each span to the provider found there, so a span gets its node's resource (`host.name`) and
 * span processor. The key lives in the context next to the active span and never reaches the wire.
 */
const NODE_SCOPE_KEY = createContextKey('kubelet-cri-tracing-emulator simulated node');

/** `ctx` with `provider` as the node whose spans are made under it. */
export function withNodeScope(ctx: Context, provider: TracerProvider): Context {
  return ctx.getValue(NODE_SCOPE_KEY) === provider ? ctx : ctx.setValue(NODE_SCOPE_KEY, provider);
}

/** The node provider in `ctx`, if any. */
export function nodeScopeOf(ctx: Context): TracerProvider | undefined {
  return ctx.getValue(NODE_SCOPE_KEY) as TracerProvider | undefined;
}

/** Runs `fn` with the active context (its span kept) scoped to `provider`'s node. */
export function runInNodeScope<T>(provider: TracerProvider, fn: () => T): T {
  const active = contextApi.active();
  const scoped = withNodeScope(active, provider);
  return scoped === active ? fn() : contextApi.with(scoped, fn);
}

/**
 * `service` with every method running in `provider`'s node scope, so the gRPC CLIENT spans its calls make
 * belong to that node even when the caller starts from a bare root context (as the kubelet's loops do).
 * The active span is kept: a call inside `syncPod` still has `syncPod` as the parent of its CLIENT span.
 */
export function scopeCalls<T extends object>(service: T, provider: TracerProvider): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(service, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let scoped = wrapped.get(key);
      if (scoped === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        scoped = (...args: unknown[]) => runInNodeScope(provider, () => method.apply(target, args));
        wrapped.set(key, scoped);
      }
      return scoped;
    },
  });
}
