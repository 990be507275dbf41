import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePodLogOptions, newLogOptions, validateContainerLogStatus, validPodLogOptions } from '../../../kubelet-sim/src/server/container-logs';
import { newPortForwardOptions, newStreamOptions } from '../../../kubelet-sim/src/server/streaming-handlers';

describe('kubelet /containerLogs options (server.go getContainerLogs, logs.NewLogOptions)', () => {
  it('decodes PodLogOptions as the parameter codec does, with the legacy tail spelling', () => {
    assert.deepEqual(decodePodLogOptions(new URLSearchParams('follow=true&previous=0&timestamps=FALSE&tailLines=3&limitBytes=10')), {
      follow: true, previous: false, timestamps: false, tailLines: 3, limitBytes: 10,
    });
    assert.equal(decodePodLogOptions(new URLSearchParams('tail=5')) !== 'decode-error' && (decodePodLogOptions(new URLSearchParams('tail=5')) as { tailLines?: number }).tailLines, 5);
    assert.equal((decodePodLogOptions(new URLSearchParams('tail=all&tailLines=2')) as { tailLines?: number }).tailLines, undefined);
    assert.equal(decodePodLogOptions(new URLSearchParams('tailLines=x')), 'decode-error');
    assert.equal(decodePodLogOptions(new URLSearchParams('sinceTime=yesterday')), 'decode-error');
  });

  it('validates as ValidatePodLogOptions and builds the reader options', () => {
    assert.equal(validPodLogOptions({ follow: false, previous: false, timestamps: false, tailLines: -1 }), false);
    assert.equal(validPodLogOptions({ follow: false, previous: false, timestamps: false, limitBytes: 0 }), false);
    assert.equal(validPodLogOptions({ follow: false, previous: false, timestamps: false, sinceSeconds: 5, sinceTimeNs: 1n }), false);
    assert.deepEqual(newLogOptions({ follow: false, previous: false, timestamps: true, sinceSeconds: 2 }, 10_000_000_000n), {
      tail: -1, bytes: -1, sinceNs: 8_000_000_000n, follow: false, timestamps: true,
    });
    assert.equal(newLogOptions({ follow: false, previous: false, timestamps: false, sinceSeconds: 2, sinceTimeNs: 9_000_000_000n }, 10_000_000_000n).sinceNs, 9_000_000_000n);
  });

  it('chooses the container to read as validateContainerLogStatus does', () => {
    const running = { name: 'app', ready: true, restartCount: 1, image: 'i', imageID: '', containerID: 'cri-o://new', state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'cri-o://old' } } };
    assert.equal(validateContainerLogStatus('p', [running], 'app', false), 'cri-o://new');
    assert.equal(validateContainerLogStatus('p', [running], 'app', true), 'cri-o://old');
    const fresh = { name: 'app', ready: false, restartCount: 0, image: 'i', imageID: '', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };
    assert.equal((validateContainerLogStatus('p', [fresh], 'app', false) as Error).message, 'container "app" in pod "p" is waiting to start: ContainerCreating');
    assert.equal((validateContainerLogStatus('p', [fresh], 'app', true) as Error).message, 'previous terminated container "app" in pod "p" not found');
    assert.equal((validateContainerLogStatus('p', [], 'app', false) as Error).message, 'container "app" in pod "p" is not available');
  });
});

describe('kubelet stream options (remotecommand NewOptions, portforward NewV4Options)', () => {
  it('reads the `1` flags, drops stderr under a tty and requires one stream', () => {
    assert.deepEqual(newStreamOptions(new URLSearchParams('output=1&error=1')), { tty: false, stdin: false, stdout: true, stderr: true });
    assert.deepEqual(newStreamOptions(new URLSearchParams('tty=1&input=1&error=1')), { tty: true, stdin: true, stdout: false, stderr: false });
    assert.equal((newStreamOptions(new URLSearchParams('output=true')) as Error).message, 'you must specify at least 1 of stdin, stdout, stderr');
  });

  it('takes ports only from websocket requests and checks each', () => {
    assert.deepEqual(newPortForwardOptions(new URLSearchParams('port=80,8080&port=9090'), true), [80, 8080, 9090]);
    assert.deepEqual(newPortForwardOptions(new URLSearchParams('port=x'), false), []);
    assert.equal((newPortForwardOptions(new URLSearchParams(''), true) as Error).message, 'query parameter "port" is required');
    assert.equal((newPortForwardOptions(new URLSearchParams('port=0'), true) as Error).message, 'port "0" must be > 0');
    assert.match((newPortForwardOptions(new URLSearchParams('port=http'), true) as Error).message, /^unable to parse "http" as a port: /);
  });
});
