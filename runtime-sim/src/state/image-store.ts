/**
 * The images a runtime keeps, by image id (config digest), each with the names and repo digests that point
 * at it, as containerd keeps them (internal/cri/store/image) and CRI-O's containers/storage does: several
 * tags share one image; a pull adds a name to an image already there. What an image is comes from the image
 * catalog (../model/image-catalog.ts). The cross-object rules (an image in use by a container) stay in
 * ./runtime-state.ts.
 */
import { EMPTY_IMAGE_CONFIG, imageUser, type ImageCatalog, type ImageConfigFacts } from '../model/image-catalog';
import { parseImageReference } from './image-reference';
import type { PersonaProfile } from './persona';
import type { ImageView } from './types';

export interface ImageRecord {
  readonly hex: string;
  repoTags: string[];
  repoDigests: string[];
  readonly sizeBytes: number;
  readonly unpackedSizeBytes: number;
  readonly inodes: number;
  readonly pinned: boolean;
  lastUsedNs: bigint;
  readonly config: ImageConfigFacts;
}

export class ImageStore {
  private readonly images = new Map<string, ImageRecord>();

  constructor(
    private readonly profile: PersonaProfile,
    private readonly catalog: ImageCatalog,
    private readonly seed: number,
  ) {}

  /**
   * Records a pulled (or preloaded) reference: the catalog's image for it, with this name and its repo
   * digests added. Returns the image and the platform manifest's repo digest (CRI-O's PullImage answer).
   */
  add(
    repository: string,
    tag: string | undefined,
    digest: string | undefined,
    now: bigint,
    pinned: boolean,
  ): { readonly image: ImageRecord; readonly platformRepoDigest: string } {
    const facts = this.catalog.describe(repository, tag ?? digest!, this.seed);
    const platformRepoDigest = `${repository}@sha256:${facts.platformManifestDigestHex}`;
    if (digest !== undefined) {
      const byDigest = [...this.images.values()].find((img) => img.repoDigests.includes(`${repository}@${digest}`));
      if (byDigest !== undefined) return { image: byDigest, platformRepoDigest };
    }
    let image = this.images.get(facts.configDigestHex);
    if (image === undefined) {
      image = {
        hex: facts.configDigestHex,
        repoTags: [],
        repoDigests: [],
        sizeBytes: facts.sizeBytes,
        unpackedSizeBytes: facts.unpackedSizeBytes,
        inodes: facts.inodes,
        pinned,
        lastUsedNs: now,
        config: facts.config,
      };
      this.images.set(image.hex, image);
    }
    // Both runtimes list names sorted (containerd internal/cri/store/image; CRI-O internal/storage/image.go).
    if (tag !== undefined && !image.repoTags.includes(`${repository}:${tag}`)) {
      image.repoTags.push(`${repository}:${tag}`);
      image.repoTags.sort();
    }
    const digests = [`${repository}@sha256:${facts.manifestDigestHex}`];
    if (this.profile.repoDigestsIncludePlatformManifest) digests.push(platformRepoDigest);
    for (const d of digests) if (!image.repoDigests.includes(d)) image.repoDigests.push(d);
    image.repoDigests.sort();
    return { image, platformRepoDigest };
  }

  /** By id ("sha256:<hex>", "<hex>", or a unique prefix of either of at least 3 hex digits), else by name. */
  resolve(query: string): ImageRecord | undefined {
    const q = query.trim();
    if (q === '') return undefined;
    const hexQuery = /^sha256:[0-9a-f]{1,64}$/.test(q) ? q.slice(7) : /^[0-9a-f]{3,64}$/.test(q) ? q : undefined;
    if (hexQuery !== undefined) {
      const matches = [...this.images.values()].filter((img) => img.hex.startsWith(hexQuery));
      if (matches.length === 1) return matches[0];
    }
    const parsed = parseImageReference(q);
    if (!parsed.ok) return undefined;
    const n = parsed.ref.normalized;
    for (const img of this.images.values()) {
      if (img.repoTags.includes(n) || img.repoDigests.includes(n)) return img;
    }
    return undefined;
  }

  get(hex: string): ImageRecord | undefined {
    return this.images.get(hex);
  }

  /** The image config of an image id; an image removed since has an empty one. */
  configOf(hex: string): ImageConfigFacts {
    return this.images.get(hex)?.config ?? EMPTY_IMAGE_CONFIG;
  }

  delete(hex: string): void {
    this.images.delete(hex);
  }

  all(): ImageRecord[] {
    return [...this.images.values()];
  }

  view(img: ImageRecord): ImageView {
    return Object.freeze({
      id: this.profile.formatImageId(img.hex),
      repoTags: Object.freeze([...img.repoTags]),
      repoDigests: Object.freeze([...img.repoDigests]),
      sizeBytes: this.profile.imageSize === 'unpacked' ? img.unpackedSizeBytes : img.sizeBytes,
      pinned: img.pinned,
      lastUsedNs: img.lastUsedNs,
      inodes: img.inodes,
      ...imageUser(img.config.user),
      config: img.config,
    });
  }

  /** Bytes and inodes the images take in the image filesystem. */
  usage(): { usedBytes: number; inodesUsed: number } {
    let usedBytes = 0;
    let inodesUsed = 0;
    for (const img of this.images.values()) {
      usedBytes += img.sizeBytes;
      inodesUsed += img.inodes;
    }
    return { usedBytes, inodesUsed };
  }

  /** Records as --state-dir saves them. */
  exportRecords(): Record<string, unknown>[] {
    return [...this.images.values()].map((img) => ({ ...img }));
  }

  /** Rebuilds from saved records; records from before the catalog get their config from their first tag. */
  restore(records: readonly Record<string, unknown>[]): void {
    for (const raw of records) {
      const img = { ...raw } as unknown as ImageRecord;
      const config = img.config ?? this.configOfTag(img.repoTags[0]);
      const unpackedSizeBytes = img.unpackedSizeBytes ?? img.sizeBytes;
      this.images.set(img.hex, { ...img, config, unpackedSizeBytes, repoTags: [...img.repoTags], repoDigests: [...img.repoDigests] });
    }
  }

  private configOfTag(tag: string | undefined): ImageConfigFacts {
    const parsed = tag === undefined ? undefined : parseImageReference(tag);
    if (parsed === undefined || !parsed.ok || parsed.ref.tag === undefined) return EMPTY_IMAGE_CONFIG;
    return this.catalog.describe(parsed.ref.repository, parsed.ref.tag, this.seed).config;
  }
}
