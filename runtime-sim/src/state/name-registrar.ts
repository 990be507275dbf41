/**
 * One-to-one name <-> id reservations, so two sandboxes (or containers) with the same
 * Kubernetes identity cannot coexist. Mirrors containerd internal/registrar/registrar.go and
 * CRI-O internal/registrar: reserving the same pair twice is a no-op; a name held by another id
 * is a conflict; releasing frees both sides.
 */
export type Reservation =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'name-taken'; readonly holderId: string };

export class NameRegistrar {
  private readonly nameToId = new Map<string, string>();
  private readonly idToName = new Map<string, string>();

  reserve(name: string, id: string): Reservation {
    const holder = this.nameToId.get(name);
    if (holder !== undefined) {
      return holder === id ? { kind: 'reserved' } : { kind: 'name-taken', holderId: holder };
    }
    this.nameToId.set(name, id);
    this.idToName.set(id, name);
    return { kind: 'reserved' };
  }

  holderOf(name: string): string | undefined {
    return this.nameToId.get(name);
  }

  releaseById(id: string): void {
    const name = this.idToName.get(id);
    if (name === undefined) return;
    this.idToName.delete(id);
    this.nameToId.delete(name);
  }
}
