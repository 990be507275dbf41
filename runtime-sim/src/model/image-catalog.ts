/**
 * The simulated registry: what an image "is" once pulled. An image catalog (YAML, `--image-catalog`;
 * the built-in one is runtime-sim/images/default-catalog.yaml) lists images by the tags that share
 * them, as registries do (`nginx:1.27` and `nginx:latest` are one image), with the image config the
 * runtimes read (User, Entrypoint, Cmd, Env, WorkingDir) and a size. Anything not listed still pulls:
 *  - a tag of a listed repository gets that repository's config and its own id;
 *  - any other name gets a size drawn from the seed and an Entrypoint `/usr/local/bin/<name>`, a
 *    program the command model does not know, so the container runs until stopped.
 * Digests the catalog does not give are derived from the seed and the first tag of the entry, so the
 * same name always yields the same ids:
 *  - configDigest: the image id (sha256 of the image config), 64 hex;
 *  - manifestDigest: the repo digest (`<repository>@sha256:<manifest digest>`), 64 hex;
 *  - sizeBytes: unpacked size as the runtimes report it in Image.size.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Userland } from '../process/process-effects';
import { parseImageReference } from '../state/image-reference';

/** The parts of an OCI image config (image-spec config.go ImageConfig) the runtimes use. */
export interface ImageConfigFacts {
  /** `USER`: "", "1000", "1000:1000", "nginx", "nobody:nogroup". */
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** `KEY=value` entries. */
  readonly env: readonly string[];
  readonly workingDir: string;
  /** Which userland's messages the image's tools print (not part of the OCI config; the model's own). */
  readonly userland: Userland;
}

export interface ImageFacts {
  readonly configDigestHex: string;
  /** The digest a tag resolves to (the image index, or the manifest of a single-platform image). */
  readonly manifestDigestHex: string;
  /** The linux/amd64 manifest inside that index. */
  readonly platformManifestDigestHex: string;
  /** Compressed content (containerd's Image.size). */
  readonly sizeBytes: number;
  /** Unpacked layers (CRI-O's Image.size). */
  readonly unpackedSizeBytes: number;
  /** Inodes the unpacked layers use (for ImageFsInfo). */
  readonly inodes: number;
  readonly config: ImageConfigFacts;
}

interface CatalogEntry {
  /** Normalised references (`docker.io/library/nginx:1.27`). */
  readonly tags: readonly string[];
  readonly idHex?: string;
  readonly sizeBytes: number;
  readonly unpackedSizeBytes: number;
  readonly config: ImageConfigFacts;
}

const MB = 1_000_000;

/** Smallest and largest size for an image the catalog does not list. */
export const UNKNOWN_IMAGE_MIN_BYTES = 3 * MB;
export const UNKNOWN_IMAGE_MAX_BYTES = 400 * MB;
const UNPACK_RATIO = 2.6;
/** Keys an entry may have (anything else is a typo the loader names). */
const ENTRY_KEYS: ReadonlySet<string> = new Set(['tags', 'id', 'sizeBytes', 'unpackedSizeBytes', 'userland', 'config', 'source', 'notes']);
const CONFIG_KEYS: ReadonlySet<string> = new Set(['user', 'entrypoint', 'cmd', 'env', 'workingDir']);

export const EMPTY_IMAGE_CONFIG: ImageConfigFacts = Object.freeze({ user: '', entrypoint: [], cmd: [], env: [], workingDir: '', userland: 'gnu' });

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ImageCatalogError extends Error {
  override readonly name = 'ImageCatalogError';
}

export class ImageCatalog {
  private readonly byTag = new Map<string, CatalogEntry>();
  private readonly byRepository = new Map<string, CatalogEntry>();

  constructor(
    entries: readonly CatalogEntry[],
    /** Where the entries came from, for messages. */
    readonly source: string,
  ) {
    for (const entry of entries) {
      for (const tag of entry.tags) {
        this.byTag.set(tag, entry);
        const repository = tag.slice(0, tag.lastIndexOf(':'));
        if (!this.byRepository.has(repository)) this.byRepository.set(repository, entry);
      }
    }
  }

  /** Number of listed images. */
  get size(): number {
    return new Set(this.byTag.values()).size;
  }

  /**
   * @param repository normalised repository, e.g. "docker.io/library/nginx"
   * @param tagOrDigest the tag ("latest") or pinned digest ("sha256:...") that was pulled
   */
  describe(repository: string, tagOrDigest: string, seed: number): ImageFacts {
    const pinned = tagOrDigest.startsWith('sha256:');
    const listed = pinned ? undefined : this.byTag.get(`${repository}:${tagOrDigest}`);
    if (listed !== undefined) {
      const first = listed.tags[0]!;
      const configDigestHex = listed.idHex ?? sha256Hex(`config|${seed}|${first}`);
      // One manifest per image and repository: every tag of the image in that repository shares it.
      const manifestDigestHex = sha256Hex(`manifest|${seed}|${repository}|${first}`);
      return {
        configDigestHex,
        manifestDigestHex,
        platformManifestDigestHex: sha256Hex(`platform|${manifestDigestHex}`),
        sizeBytes: listed.sizeBytes,
        unpackedSizeBytes: listed.unpackedSizeBytes,
        inodes: inodesFor(listed.unpackedSizeBytes),
        config: listed.config,
      };
    }
    const key = `${seed}|${repository}|${tagOrDigest}`;
    const configDigestHex = sha256Hex(`config|${key}`);
    const manifestDigestHex = pinned ? tagOrDigest.slice('sha256:'.length) : sha256Hex(`manifest|${key}`);
    // A pinned digest is taken as the platform manifest itself (a single-platform pull).
    const platformManifestDigestHex = pinned ? manifestDigestHex : sha256Hex(`platform|${manifestDigestHex}`);
    const sameRepository = this.byRepository.get(repository);
    let sizeBytes: number;
    if (sameRepository !== undefined) {
      // Another tag of a listed image: its config, a size within +-10% of the listed tag's.
      const wobble = (parseInt(configDigestHex.slice(0, 4), 16) / 0xffff - 0.5) * 0.2;
      sizeBytes = Math.round(sameRepository.sizeBytes * (1 + wobble));
    } else {
      // Log-uniform between the bounds: most images are tens of MB, few are hundreds.
      const u = parseInt(configDigestHex.slice(0, 8), 16) / 0xffffffff;
      const lo = Math.log(UNKNOWN_IMAGE_MIN_BYTES);
      const hi = Math.log(UNKNOWN_IMAGE_MAX_BYTES);
      sizeBytes = Math.round(Math.exp(lo + u * (hi - lo)));
    }
    // Layers unpack to about 2.6 times their compressed size (the listed images' median ratio).
    const unpackedSizeBytes = Math.round(sizeBytes * UNPACK_RATIO);
    return {
      configDigestHex,
      manifestDigestHex,
      platformManifestDigestHex,
      sizeBytes,
      unpackedSizeBytes,
      inodes: inodesFor(unpackedSizeBytes),
      config: sameRepository?.config ?? generatedConfig(repository),
    };
  }
}

/** An image nobody listed runs its own server binary, named after the repository (so it runs until stopped). */
function generatedConfig(repository: string): ImageConfigFacts {
  return { ...EMPTY_IMAGE_CONFIG, entrypoint: [`/usr/local/bin/${repository.slice(repository.lastIndexOf('/') + 1)}`] };
}

function inodesFor(sizeBytes: number): number {
  return Math.max(8, Math.round(sizeBytes / 24_000));
}

// ---- loading ---------------------------------------------------------------------------------------

const CATALOG_RELATIVE = path.join('runtime-sim', 'images', 'default-catalog.yaml');

/** Absolute path of the built-in catalog, searched upwards from `startDir` (source and dist trees). */
export function defaultCatalogPath(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, CATALOG_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${CATALOG_RELATIVE} above ${startDir}`);
    dir = parent;
  }
}

function stringList(value: unknown, field: string, fail: (field: string, msg: string) => never): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(field, 'must be a list of strings');
  return value as string[];
}

/** Parses catalog text; errors name the file, the entry and the field. */
export function parseImageCatalog(text: string, source: string): ImageCatalog {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ImageCatalogError(`${source}: not valid YAML: ${(err as Error).message}`);
  }
  const images = (doc as { images?: unknown } | null)?.images;
  if (!Array.isArray(images)) throw new ImageCatalogError(`${source}: expected a top-level "images:" list`);
  const entries: CatalogEntry[] = images.map((raw, i) => {
    const fail = (field: string, msg: string): never => {
      throw new ImageCatalogError(`${source}: images[${i}].${field} ${msg}`);
    };
    if (raw === null || typeof raw !== 'object') fail('', 'must be a mapping');
    const e = raw as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!ENTRY_KEYS.has(key)) fail(key, `is not a catalog field (fields: ${[...ENTRY_KEYS].join(', ')})`);
    const tags = stringList(e.tags, 'tags', fail).map((tag, t) => {
      const parsed = parseImageReference(tag);
      if (!parsed.ok || parsed.ref.tag === undefined) fail(`tags[${t}]`, `${JSON.stringify(tag)} is not a tagged image reference (${parsed.ok ? 'it pins a digest' : parsed.error})`);
      return (parsed as { ref: { normalized: string } }).ref.normalized;
    });
    if (tags.length === 0) fail('tags', 'must list at least one tag');
    if (typeof e.sizeBytes !== 'number' || !Number.isInteger(e.sizeBytes) || e.sizeBytes <= 0) fail('sizeBytes', 'must be a positive integer (bytes)');
    const unpacked = e.unpackedSizeBytes ?? e.sizeBytes;
    if (typeof unpacked !== 'number' || !Number.isInteger(unpacked) || unpacked <= 0) fail('unpackedSizeBytes', 'must be a positive integer (bytes)');
    let idHex: string | undefined;
    if (e.id !== undefined) {
      if (typeof e.id !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(e.id)) fail('id', 'must be "sha256:" and 64 lowercase hex digits');
      idHex = (e.id as string).slice(7);
    }
    const c = (e.config ?? {}) as Record<string, unknown>;
    if (typeof c !== 'object' || Array.isArray(c)) fail('config', 'must be a mapping');
    for (const key of Object.keys(c)) if (!CONFIG_KEYS.has(key)) fail(`config.${key}`, `is not an image config field (fields: ${[...CONFIG_KEYS].join(', ')})`);
    const str = (key: string): string => {
      if (c[key] === undefined || c[key] === null) return '';
      if (typeof c[key] !== 'string') fail(`config.${key}`, 'must be a string');
      return c[key] as string;
    };
    const env = stringList(c.env, 'config.env', fail);
    env.forEach((kv, k) => {
      if (!/^[^=]+=/.test(kv)) fail(`config.env[${k}]`, `${JSON.stringify(kv)} is not KEY=value`);
    });
    const userland = e.userland ?? 'gnu';
    if (userland !== 'gnu' && userland !== 'busybox' && userland !== 'none') fail('userland', 'must be "gnu", "busybox" or "none"');
    return {
      tags,
      idHex,
      sizeBytes: e.sizeBytes as number,
      unpackedSizeBytes: unpacked as number,
      config: {
        user: str('user'),
        entrypoint: stringList(c.entrypoint, 'config.entrypoint', fail),
        cmd: stringList(c.cmd, 'config.cmd', fail),
        env,
        workingDir: str('workingDir'),
        userland: userland as Userland,
      },
    };
  });
  return new ImageCatalog(entries, source);
}

export function loadImageCatalog(file: string): ImageCatalog {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImageCatalogError(`cannot read image catalog ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseImageCatalog(text, file);
}

let builtIn: ImageCatalog | undefined;

/** The built-in catalog (read once). */
export function defaultImageCatalog(): ImageCatalog {
  builtIn ??= loadImageCatalog(defaultCatalogPath());
  return builtIn;
}

/** Facts of an image from the built-in catalog (the runtime model's pull-time sizes use this too). */
export function describeImage(repository: string, tagOrDigest: string, seed: number, catalog: ImageCatalog = defaultImageCatalog()): ImageFacts {
  return catalog.describe(repository, tagOrDigest, seed);
}

/**
 * ImageStatus's uid/username from the config's User, as both runtimes read it (containerd
 * internal/cri/server/images/image_status.go getUserFromImage; CRI-O server/image_status.go): the part
 * before ":" is a uid when numeric, else a user name; an empty User gives neither.
 */
export function imageUser(user: string): { readonly uid: number | null; readonly username: string } {
  if (user === '') return { uid: null, username: '' };
  const name = user.split(':')[0]!;
  return /^\d+$/.test(name) ? { uid: Number(name), username: '' } : { uid: null, username: name };
}
