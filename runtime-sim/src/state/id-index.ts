/**
 * Lookup of full ids by any unique prefix, as crictl users type truncated ids.
 * Semantics follow the truncindex both runtimes use (containers/storage pkg/truncindex, vendored by
 * CRI-O; containerd's internal/cri/store): an empty query is rejected, a prefix matching no id is
 * "not found", a prefix matching two or more ids is ambiguous, an exact id always resolves.
 */
export type IdLookup =
  | { readonly kind: 'found'; readonly id: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'ambiguous' };

export class IdIndex {
  private readonly ids = new Set<string>();

  add(id: string): void {
    if (id === '' || id.includes(' ')) {
      throw new Error(`IdIndex.add: invalid id ${JSON.stringify(id)}`);
    }
    this.ids.add(id);
  }

  delete(id: string): void {
    this.ids.delete(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  lookup(prefix: string): IdLookup {
    if (prefix === '') return { kind: 'empty' };
    if (this.ids.has(prefix)) return { kind: 'found', id: prefix };
    let match: string | undefined;
    for (const id of this.ids) {
      if (!id.startsWith(prefix)) continue;
      if (match !== undefined) return { kind: 'ambiguous' };
      match = id;
    }
    return match === undefined ? { kind: 'not-found' } : { kind: 'found', id: match };
  }
}
