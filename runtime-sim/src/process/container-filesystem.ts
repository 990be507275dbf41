/**
 * The files a simulated container's commands can see: a handful every Linux container has (the ones
 * the runtime and the kubelet put there: /etc/hostname, /etc/hosts, /etc/resolv.conf, plus /etc/passwd
 * and /etc/os-release from the image) and whatever the container's own commands create (`touch`,
 * `echo ... > file`, `mkdir`). Everything else is missing, so `cat /nope` fails as in a real container
 * and the classic exec probe `cat /tmp/healthy` sees what the main process did.
 *
 * Shared by the container's main process and every exec in it, as the mount namespace is. Bounded:
 * at most MAX_FILES files of at most MAX_FILE_BYTES each (a script that writes more keeps the tail).
 */
export const MAX_FILES = 256;
export const MAX_FILE_BYTES = 64 * 1024;

/** Directories every image and runtime provides. */
const BASE_DIRECTORIES = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/run', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', '/var', '/var/log', '/var/run', '/var/tmp'];

export interface FilesystemIdentity {
  /** PodSandboxConfig.hostname, or the pod name. */
  readonly hostname: string;
}

export class ContainerFilesystem {
  private readonly files = new Map<string, string>();
  private readonly directories = new Set<string>(BASE_DIRECTORIES);

  constructor(identity: FilesystemIdentity) {
    this.files.set('/etc/hostname', `${identity.hostname}\n`);
    // The kubelet's managed /etc/hosts (kubelet_pods.go managedHostsFileContent) without the pod IP line.
    this.files.set('/etc/hosts', '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    this.files.set('/etc/resolv.conf', 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    this.files.set('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    this.files.set('/dev/null', '');
  }

  exists(path: string): boolean {
    return this.files.has(path) || this.isDirectory(path);
  }

  isFile(path: string): boolean {
    return this.files.has(path);
  }

  isDirectory(path: string): boolean {
    if (this.directories.has(path)) return true;
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const file of this.files.keys()) if (file.startsWith(prefix)) return true;
    return false;
  }

  read(path: string): string | undefined {
    return this.files.get(path);
  }

  /** Creates or extends a file; false when the file limit is reached (the write fails with ENOSPC). */
  write(path: string, text: string, append: boolean): boolean {
    if (path === '/dev/null') return true;
    const before = this.files.get(path);
    if (before === undefined && this.files.size >= MAX_FILES) return false;
    const next = append && before !== undefined ? before + text : text;
    this.files.set(path, next.length > MAX_FILE_BYTES ? next.slice(next.length - MAX_FILE_BYTES) : next);
    return true;
  }

  remove(path: string): boolean {
    if (path === '/dev/null') return false;
    if (this.files.delete(path)) return true;
    return this.directories.delete(path);
  }

  makeDirectory(path: string): void {
    this.directories.add(path);
  }
}

/** An absolute, normalised path: relative paths resolve against `cwd`; `.` and `..` are folded. */
export function resolvePath(path: string, cwd: string): string {
  const joined = path.startsWith('/') ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
