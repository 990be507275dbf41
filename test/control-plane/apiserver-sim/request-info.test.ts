import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestInfoOf } from '../../../control-plane/apiserver-sim/src/server/request-info';
import { serverSpanName } from '../../../control-plane/apiserver-sim/src/server/otelhttp-attributes';
import { tableVersionAccepted } from '../../../control-plane/apiserver-sim/src/handlers/table';

const info = (method: string, path: string) => requestInfoOf(method, new URL(path, 'http://x'));

describe('requestInfoOf and the SERVER span name', () => {
  it('names namespaced collection and object requests with placeholders', () => {
    assert.equal(serverSpanName('POST', info('POST', '/api/v1/namespaces/default/pods')), 'POST /api/v1/namespaces/{:namespace}/pods');
    assert.equal(serverSpanName('GET', info('GET', '/api/v1/namespaces/default/pods/web')), 'GET /api/v1/namespaces/{:namespace}/pods/{:name}');
    assert.equal(serverSpanName('PUT', info('PUT', '/api/v1/namespaces/default/pods/web/status')), 'PUT /api/v1/namespaces/{:namespace}/pods/{:name}/status');
  });

  it('treats /namespaces/{name} as the namespace named by itself, as requestinfo.go does', () => {
    const i = info('GET', '/api/v1/namespaces/kube-system');
    assert.deepEqual([i.resource, i.name, i.namespace, i.verb], ['namespaces', 'kube-system', 'kube-system', 'get']);
    assert.equal(serverSpanName('GET', i), 'GET /api/v1/namespaces/{:namespace}/namespaces/{:name}');
  });

  it('tells list from watch and names non-resource requests by method alone', () => {
    assert.equal(info('GET', '/api/v1/pods').verb, 'list');
    assert.equal(info('GET', '/api/v1/namespaces/default/pods?watch=true').verb, 'watch');
    assert.equal(info('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
    const discovery = info('GET', '/api/v1');
    assert.equal(discovery.isResourceRequest, false);
    assert.equal(serverSpanName('GET', discovery), 'GET');
    assert.equal(serverSpanName('GET', info('GET', '/apis/apps/v1')), 'GET');
    assert.equal(serverSpanName('GET', info('GET', '/apis/apps/v1/namespaces/x/deployments')), 'GET /apis/apps/v1/namespaces/{:namespace}/deployments');
  });
});

describe('tableVersionAccepted', () => {
  it('picks the first served Table version of kubectl get\'s Accept header', () => {
    assert.equal(tableVersionAccepted('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), 'v1');
    assert.equal(tableVersionAccepted('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), 'v1beta1');
    assert.equal(tableVersionAccepted('application/json'), undefined);
  });
});
