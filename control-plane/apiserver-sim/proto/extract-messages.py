"""Writes this folder's .proto files and ../src/serializer/pointer-scalar-fields.ts from upstream sources.

Usage: python3 extract-messages.py <k8s.io/api git dir> <k8s.io/apimachinery git dir>
Keeps, from the generated.proto files at the tags below, the messages reachable from the request kinds
apiserver-sim decodes, with their declarations only (no upstream comments), and lists the Go fields that are
pointers to scalars from the types.go files.
"""
import os, re, subprocess, sys
API_REPO, AM_REPO = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
TAG_API='v0.33.9'; TAG_AM='v0.33.9'
srcs = {
 'k8s.io.api.core.v1': (API_REPO, TAG_API, 'core/v1/generated.proto'),
 'k8s.io.api.coordination.v1': (API_REPO, TAG_API, 'coordination/v1/generated.proto'),
 'k8s.io.api.policy.v1': (API_REPO, TAG_API, 'policy/v1/generated.proto'),
 'k8s.io.apimachinery.pkg.apis.meta.v1': (AM_REPO, TAG_AM, 'pkg/apis/meta/v1/generated.proto'),
 'k8s.io.apimachinery.pkg.api.resource': (AM_REPO, TAG_AM, 'pkg/api/resource/generated.proto'),
 'k8s.io.apimachinery.pkg.util.intstr': (AM_REPO, TAG_AM, 'pkg/util/intstr/generated.proto'),
 'k8s.io.apimachinery.pkg.runtime': (AM_REPO, TAG_AM, 'pkg/runtime/generated.proto'),
}
msgs = {}  # fullname -> list of field lines
for pkg,(repo,tag,p) in srcs.items():
    text = subprocess.check_output(['git','-C',repo,'show',f'{tag}:{p}'], text=True)
    cur=None
    for line in text.splitlines():
        s=line.strip()
        if s.startswith('//') or not s: continue
        m=re.match(r'^message (\w+) \{$', s)
        if m: cur=pkg+'.'+m.group(1); msgs[cur]=[]; continue
        if s=='}' : cur=None; continue
        if cur: msgs[cur].append(s)
def refs(full):
    pkg=full.rsplit('.',1)[0]; out=[]
    for f in msgs[full]:
        m=re.match(r'^(?:optional|repeated) ([\w.]+) \w+ = \d+;$', f) or re.match(r'^map<string, ([\w.]+)> \w+ = \d+;$', f)
        if not m: 
            if not f.startswith('option '): print('??',full,f,file=sys.stderr)
            continue
        t=m.group(1)
        if t in ('string','int32','int64','bool','bytes','double','float','uint32','uint64','fixed64','sfixed64'): continue
        out.append(t[1:] if t.startswith('.') else pkg+'.'+t)
    return out
roots=['k8s.io.api.core.v1.Namespace','k8s.io.api.core.v1.Pod','k8s.io.api.core.v1.Node','k8s.io.api.core.v1.Binding','k8s.io.api.coordination.v1.Lease','k8s.io.api.policy.v1.Eviction','k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions','k8s.io.apimachinery.pkg.runtime.Unknown']
seen=set(); stack=list(roots)
while stack:
    t=stack.pop()
    if t in seen: continue
    if t not in msgs: print('missing',t,file=sys.stderr); continue
    seen.add(t); stack.extend(refs(t))
files={'k8s.io.api.core.v1':'core-v1','k8s.io.api.coordination.v1':'coordination-v1','k8s.io.api.policy.v1':'policy-v1','k8s.io.apimachinery.pkg.apis.meta.v1':'meta-v1','k8s.io.apimachinery.pkg.api.resource':'resource','k8s.io.apimachinery.pkg.util.intstr':'intstr','k8s.io.apimachinery.pkg.runtime':'runtime'}
import collections
bypkg=collections.defaultdict(list)
for t in sorted(seen): bypkg[t.rsplit('.',1)[0]].append(t)
out=HERE
for pkg,ts in bypkg.items():
    src=srcs[pkg]
    imports=sorted({files[r.rsplit('.',1)[0]] for t in ts for r in refs(t) if r.rsplit('.',1)[0]!=pkg})
    lines=[f'// {pkg}: the messages apiserver-sim decodes from Kubernetes protobuf request bodies.',
           f'// Field names, numbers, types and labels are upstream\'s: {src[2]} of k8s.io/{"api" if src[0] == API_REPO else "apimachinery"}@{src[1]}',
           '// (Kubernetes 1.33). Only the messages reachable from the request types we serve are kept; comments are ours.',
           '// Written by extract-messages.py in this folder. Upstream copyright: The Kubernetes Authors, Apache-2.0.',
           'syntax = "proto2";','',f'package {pkg};','']
    lines += [f'import "{i}.proto";' for i in imports]
    lines.append('')
    for t in ts:
        lines.append(f'message {t.rsplit(".",1)[1]} {{')
        lines += ['  '+f for f in msgs[t] if not f.startswith('option ')]
        lines.append('}'); lines.append('')
    open(f'{out}/{files[pkg]}.proto','w').write('\n'.join(lines))
print(len(seen),'messages', {k:len(v) for k,v in bypkg.items()})

out=set()
for repo,p in [(API_REPO,'core/v1/types.go'),(API_REPO,'coordination/v1/types.go'),(API_REPO,'policy/v1/types.go'),(AM_REPO,'pkg/apis/meta/v1/types.go')]:
    text=subprocess.check_output(['git','-C',repo,'show','v0.33.9:'+p],text=True)
    cur=None
    for line in text.splitlines():
        m=re.match(r'^type (\w+) struct \{',line)
        if m: cur=m.group(1); continue
        if line.startswith('}'): cur=None; continue
        m=re.match(r'^\s+\w+\s+\*(?:int64|int32|bool|string|float64|uint32|int|\w+)\s+`json:"(\w+)',line)
        if cur and m:
            typ=re.match(r'^\s+\w+\s+\*(\w+)',line).group(1)
            if typ in ('int64','int32','bool','string'): out.add(f'{cur}.{m.group(1)}')

names=sorted(out)
ts=['/**',
' * Go struct fields that are pointers to a scalar (`*int64`, `*int32`, `*bool`, `*string`): on the wire gogo',
' * writes them only when set, so a zero value read for one of these is meaningful and kept; every other scalar',
' * is always written and its zero value means "unset" (Go\'s omitempty), so the decoder leaves it out.',
' * Listed from the Go types of k8s.io/api@v0.33.9 (core/v1, coordination/v1, policy/v1 types.go) and',
' * k8s.io/apimachinery@v0.33.9 (pkg/apis/meta/v1/types.go), as `<GoType>.<jsonName>`.',
' */',
'export const POINTER_SCALAR_FIELDS: ReadonlySet<string> = new Set([']
for i in range(0,len(names),4): ts.append('  '+' '.join(f"'{x}'," for x in names[i:i+4]))
ts.append(']);'); ts.append('')
open(os.path.join(HERE,'..','src','serializer','pointer-scalar-fields.ts'),'w').write('\n'.join(ts))
