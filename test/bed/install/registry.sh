#!/usr/bin/env bash
# Bed part 'registry': a distribution registry 2.8 (Debian docker-registry), buildah and skopeo,
# and a small base image built here FROM scratch (busybox static), kept as an OCI archive in
# $CACHE/registry so no test ever pulls an image from outside. A second run installs nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"

apt_install registry docker-registry buildah skopeo busybox-static

for bin in docker-registry buildah skopeo busybox; do
  command -v "$bin" >/dev/null || { echo "bed part 'registry': $bin not found after install" >&2; exit 1; }
done

out="$CACHE/registry"
archive="$out/base.oci.tar"
recipe="$here/registry/base.Containerfile"
# The archive is rebuilt only when the recipe or the busybox binary changes.
key="$(cat "$recipe" "$(command -v busybox)" "$0" | sha256sum | cut -c1-16)"
if [ -f "$archive" ] && [ "$(cat "$out/base.key" 2>/dev/null)" = "$key" ]; then
  exit 0
fi

say "registry: building the base image (busybox, FROM scratch)"
mkdir -p "$out"
work="$(mktemp -d "$out/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/ctx/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/root" "$root/tmp" "$root/usr/bin" "$root/usr/sbin" "$root/sbin"
chmod 1777 "$root/tmp"
cp "$(command -v busybox)" "$root/bin/busybox"
# One symlink per applet, where a Debian system would have the command (sh, env, cat, ...).
while read -r applet; do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$root/bin/busybox" --list-full)
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
cp "$recipe" "$work/ctx/Containerfile"

# A throwaway vfs store of its own: the machine's container storage is never touched.
store=(--root "$work/store" --runroot "$work/run" --storage-driver vfs)
# --timestamp 0: same busybox, same recipe -> same digest.
run registry buildah "${store[@]}" bud --isolation chroot --timestamp 0 --layers=false \
  -t localhost/bed/base:1 -f "$work/ctx/Containerfile" "$work/ctx"
run registry buildah "${store[@]}" push localhost/bed/base:1 "oci-archive:$work/base.oci.tar:bed/base:1"
mv -f "$work/base.oci.tar" "$archive"
echo "$key" >"$out/base.key"
