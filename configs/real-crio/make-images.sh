#!/bin/bash
# Builds the images the example pods name from Debian's static busybox (apt-get install busybox-static umoci
# skopeo) and loads them into CRI-O's storage under /tmp/real-crio, tagged as the manifests name them. No
# registry is contacted. nginx and node-exporter are busybox shells that print a line and wait for SIGTERM
# or SIGQUIT; python is plain busybox (flaky-worker overrides the command); pause runs /pause, a shell loop.
# Run as root, with CRI-O stopped or started with the same --root/--runroot.
set -euo pipefail
S=${REAL_CRIO_DIR:-/tmp/real-crio}
L=$S/oci-layout
STORE="containers-storage:[overlay@$S/root+$S/runroot]"
BUSYBOX=/bin/busybox
"$BUSYBOX" --list >/dev/null  # the static one from busybox-static
rm -rf "$L" "$S/img-work"; mkdir -p "$S/img-work"
umoci init --layout "$L"
image() { # tag, then umoci config arguments
  local tag=$1 b=$S/img-work/$1; shift
  umoci new --image "$L:$tag"
  umoci unpack --rootless --image "$L:$tag" "$b" >/dev/null
  mkdir -p "$b"/rootfs/{bin,etc,tmp,proc,sys,dev,root,var/log}
  chmod 1777 "$b/rootfs/tmp"
  cp "$BUSYBOX" "$b/rootfs/bin/busybox"
  for a in $("$BUSYBOX" --list); do [ -e "$b/rootfs/bin/$a" ] || ln -s busybox "$b/rootfs/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$b/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$b/rootfs/etc/group"
  if [ "$tag" = pause ]; then
    printf '#!/bin/sh\ntrap "exit 0" TERM INT\nwhile :; do sleep 3600 & wait $!; done\n' > "$b/rootfs/pause"
    chmod 755 "$b/rootfs/pause"
  fi
  umoci repack --image "$L:$tag" "$b" >/dev/null
  umoci config --image "$L:$tag" --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
WAIT='trap "exit 0" TERM QUIT INT; while :; do sleep 1; done'
image pause --config.entrypoint /pause
image busybox --config.cmd sh
image nginx --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint "echo nginx: stand-in \(busybox\) started; $WAIT" --config.stopsignal SIGQUIT
image python --config.cmd python3
image node-exporter --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint "echo node_exporter stand-in \(busybox\) args: \$*; $WAIT" --config.entrypoint node_exporter \
  --config.user 65534:65534
umoci gc --layout "$L"
load() { skopeo copy --quiet "oci:$L:$1" "$STORE$2"; }
load pause registry.k8s.io/pause:3.10
load busybox docker.io/library/busybox:1.37
load nginx docker.io/library/nginx:1.27
load python docker.io/library/python:3.12
load node-exporter quay.io/prometheus/node-exporter:v1.9.1
# skopeo leaves the overlay driver's home bind-mounted; CRI-O mounts it again itself
umount "$S/root/overlay" 2>/dev/null || true
rm -rf "$S/img-work"
