/**
 * SIGINT/SIGTERM as the Kubernetes components take them (k8s.io/apiserver pkg/server/signal.go
 * SetupSignalContext, which the kubelet uses): the first starts a graceful shutdown, a second one exits at
 * once with status 1, whatever the shutdown is still waiting for (a collector that never answers, a slow
 * flush).
 */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

export interface ShutdownSignalOptions {
  /** Called once, for the first signal. */
  onFirst(signal: ShutdownSignal): void;
  /** Written before exiting on the second signal. */
  say(line: string): void;
  /** Injected for tests; default process.exit. */
  exit?: (code: number) => void;
  /** Injected for tests; default the process. */
  emitter?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** Installs the handlers; returns a function that removes them. */
export function onShutdownSignals(options: ShutdownSignalOptions): () => void {
  const emitter = options.emitter ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received: ShutdownSignal | undefined;
  const handler = (signal: ShutdownSignal): void => {
    if (received === undefined) {
      received = signal;
      options.onFirst(signal);
      return;
    }
    options.say(`received a second signal (${signal} after ${received}): exiting at once`);
    exit(1);
  };
  for (const signal of SHUTDOWN_SIGNALS) emitter.on(signal, handler);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) emitter.off(signal, handler);
  };
}
