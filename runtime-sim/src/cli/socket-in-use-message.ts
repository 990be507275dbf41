import type { Persona } from '../state/persona';
import type { ListenSource } from './runtime-sim-args';

/** How the real runtimes are called in messages. */
const RUNTIME_DISPLAY_NAME: Record<Persona, string> = { crio: 'CRI-O', containerd: 'containerd' };

/**
 * What runtime-sim says, before exiting 1, when another process answers on the socket it was to serve.
 * Without --listen the path is a real runtime's default socket (/var/run/crio/crio.sock,
 * /run/containerd/containerd.sock), so whatever answers there is most likely that runtime: say so
 * loudly and name the flag. With a path the user chose, `reason` (SocketInUseError's message) says it all.
 */
export function socketInUseMessage(from: { listen: string; listenFrom: ListenSource; persona: Persona }, reason: string): string {
  if (from.listenFrom === 'default') {
    return (
      `refusing to start: a real container runtime (${RUNTIME_DISPLAY_NAME[from.persona]}?) is serving ${from.listen}, ` +
      `the ${from.persona} persona's default socket, and runtime-sim never takes over a live runtime's socket. ` +
      'Pass --listen with a free path, e.g. --listen unix:///tmp/runtime-sim.sock'
    );
  }
  const origin = from.listenFrom === 'flag' ? '--listen' : 'the listen address of --config';
  return `cannot serve CRI on ${from.listen} (${origin}): ${reason}`;
}
