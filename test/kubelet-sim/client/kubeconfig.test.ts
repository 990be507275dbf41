import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KubeconfigError, loadKubeconfig } from '../../../kubelet-sim/src/client/kubeconfig';

describe('loadKubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const config = (server: string, user = '') =>
    [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster:', `    server: ${server}`,
      'contexts:', '- name: ctx', '  context:', '    cluster: c', ...(user ? ['    user: u'] : []), 'current-context: ctx',
      ...(user ? ['users:', '- name: u', '  user:', `    ${user}`] : []), '',
    ].join('\n');

  it('follows current-context to the server and the user token', () => {
    const conn = loadKubeconfig(write('ok', config('http://127.0.0.1:6443/', 'token: abc')));
    assert.deepEqual(conn, { server: 'http://127.0.0.1:6443', token: 'abc', context: 'ctx' });
  });

  it('takes no credentials when the context names no user', () => {
    assert.equal(loadKubeconfig(write('anon', config('http://127.0.0.1:1'))).token, undefined);
  });

  it('names the field and the fix for an https server, a client certificate and a missing context', () => {
    assert.throws(() => loadKubeconfig(write('https', config('https://10.0.0.1:6443'))), (e: unknown) => e instanceof KubeconfigError && /cluster\.server: Unsupported value: "https:\/\/10\.0\.0\.1:6443": .*use an http:\/\/ server/.test((e as Error).message));
    assert.throws(() => loadKubeconfig(write('cert', config('http://127.0.0.1:1', 'client-certificate: /x'))), /user\.client-certificate: Unsupported value: .*bearer token only/);
    assert.throws(() => loadKubeconfig(write('noctx', 'apiVersion: v1\nkind: Config\n')), /current-context: Required value/);
    assert.throws(() => loadKubeconfig(join(dir, 'missing')), /--kubeconfig .*missing: cannot read it/);
  });
});
