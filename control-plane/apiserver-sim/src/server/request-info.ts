/**
 * The apiserver's RequestInfo (k8s.io/apiserver pkg/endpoints/request/requestinfo.go@v0.34.10
 * RequestInfoFactory.NewRequestInfo), for the paths apiserver-sim serves: /api/v1/... and /apis/<g>/<v>/...
 * resource requests, everything else a non-resource request. Verbs: get/list/watch/create/update/patch/delete
 * /deletecollection, from the method, a name and ?watch=true.
 */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const API_PREFIXES = new Set(['api', 'apis']);
const GROUPLESS_PREFIXES = new Set(['api']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function requestInfoOf(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
  const parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  if (parts.length < 3 || !API_PREFIXES.has(parts[0] as string)) return info;
  info.apiPrefix = parts.shift() as string;
  if (!GROUPLESS_PREFIXES.has(info.apiPrefix)) {
    if (parts.length < 3) return info; // /apis/<group>/<version> is discovery
    info.apiGroup = parts.shift() as string;
  }
  info.apiVersion = parts.shift() as string;
  info.isResourceRequest = true;
  switch (method) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }
  if (parts[0] === 'namespaces' && parts.length > 1) {
    info.namespace = parts[1] as string;
    // A step after the namespace name that is not a namespace subresource is a namespaced resource.
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts.splice(0, 2);
  }
  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1] as string;
  if (parts.length >= 3) info.subresource = parts[2] as string;
  if (info.name === '' && info.verb === 'get') {
    const watch = url.searchParams.get('watch');
    info.verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
