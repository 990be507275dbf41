/**
 * The wire size of each CRI message our serializers wrote or read, by message object, so otelgrpc's `message`
 * events (uncompressed and compressed size; CRI sockets use no compression) take the size of the bytes that
 * really crossed the socket instead of encoding the message a second time. Filled by load-cri.ts's
 * serializers and deserializers; a WeakMap, so a message's entry goes with it.
 */
const sizes = new WeakMap<object, number>();

export function recordWireSize(message: unknown, bytes: number): void {
  if (message !== null && typeof message === 'object') sizes.set(message, bytes);
}

/** Bytes of `message` on the wire, if one of our serializers wrote it or deserializers read it. */
export function wireSizeOf(message: unknown): number | undefined {
  return message !== null && typeof message === 'object' ? sizes.get(message) : undefined;
}
