import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_WITH_PARENT_ENV, shouldExitWithParent, watchParent } from '../../cli-kit/src';

describe('shouldExitWithParent', () => {
  it('is on under npm (npx, npm exec, npm start set npm_command)', () => {
    assert.equal(shouldExitWithParent({ npm_command: 'exec' }), true);
    assert.equal(shouldExitWithParent({ npm_command: 'start' }), true);
  });

  it('is off for a process started straight from a shell, so nohup ... & keeps running', () => {
    assert.equal(shouldExitWithParent({}), false);
  });

  it('follows KUBELET_CRI_SIM_EXIT_WITH_PARENT when it is set', () => {
    assert.equal(shouldExitWithParent({ [EXIT_WITH_PARENT_ENV]: '1' }), true);
    assert.equal(shouldExitWithParent({ [EXIT_WITH_PARENT_ENV]: '0', npm_command: 'exec' }), false);
  });
});

describe('watchParent', () => {
  it('calls back once with the old parent pid when the parent changes', async () => {
    let ppid = 4242;
    const gone: number[] = [];
    watchParent({ env: { npm_command: 'exec' }, checkPeriodMs: 5, getParentPid: () => ppid, getParentOf: () => undefined, onParentGone: (pid) => gone.push(pid) });
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(gone, []);
    ppid = 1; // re-parented to init
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(gone, [4242]);
  });

  it('calls back when the grandparent goes (kill -9 of npx leaves its sh -c waiting on us)', async () => {
    let shParent = 900; // npm exec
    const gone: number[] = [];
    watchParent({ env: { npm_command: 'exec' }, checkPeriodMs: 5, getParentPid: () => 901, getParentOf: (pid) => (pid === 901 ? shParent : undefined), onParentGone: (pid) => gone.push(pid) });
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(gone, []);
    shParent = 1; // npm killed: the shell is re-parented to init
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(gone, [900]);
  });

  it('watches only the parent when the demo asked for it: the demo outlives whoever started it', async () => {
    let demoParent = 700; // the shell that ran `nohup node dist/node-demo/src/main.js &`
    let ppid = 701; // the demo
    const gone: number[] = [];
    watchParent({ env: { [EXIT_WITH_PARENT_ENV]: '1', npm_command: 'start' }, checkPeriodMs: 5, getParentPid: () => ppid, getParentOf: (pid) => (pid === 701 ? demoParent : undefined), onParentGone: (pid) => gone.push(pid) });
    demoParent = 1; // the shell exited; the demo, re-parented to init, keeps running
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(gone, []);
    ppid = 1; // the demo itself went away
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(gone, [701]);
  });

  it('does nothing when the watch is off or the process already belongs to init', async () => {
    let ppid = 4242;
    const gone: number[] = [];
    watchParent({ env: {}, checkPeriodMs: 5, getParentPid: () => ppid, onParentGone: (pid) => gone.push(pid) });
    let initPpid = 1;
    watchParent({ env: { npm_command: 'exec' }, checkPeriodMs: 5, getParentPid: () => initPpid, onParentGone: (pid) => gone.push(pid) });
    ppid = 1;
    initPpid = 77;
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(gone, []);
  });

  it('can be cancelled', async () => {
    let ppid = 4242;
    const gone: number[] = [];
    const cancel = watchParent({ env: { npm_command: 'exec' }, checkPeriodMs: 5, getParentPid: () => ppid, onParentGone: (pid) => gone.push(pid) });
    cancel();
    ppid = 1;
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(gone, []);
  });
});
