#!/usr/bin/env bash
# Local stand-ins for the two base images operator/Dockerfile builds on, for machines that
# cannot pull from Docker Hub or gcr.io (this project's CI: its only registries are npm, the
# Go proxy and Debian's apt). Both are made from Debian bookworm by debootstrap and the Node
# binary the Makefile already uses, and shaped like the originals where the Dockerfile cares:
#
#   localhost/paygrid/node:<node>-bookworm-slim    like node:24-bookworm-slim: Debian with
#       ca-certificates, node in /usr/local/bin, npm in /usr/local/lib/node_modules/npm.
#   localhost/paygrid/distroless-nodejs:<node>     like gcr.io/distroless/nodejs24-debian12:nonroot:
#       no shell, no package manager; glibc + libstdc++, CA bundle, passwd with nonroot
#       (65532), /nodejs/bin/node, USER 65532, WORKDIR /home/nonroot.
#
# Prints the two image names as NODE_IMAGE=... and RUNTIME_IMAGE=... (build args for the
# Dockerfile). An image already in the container store is reused; the debootstrap tree is
# cached under $PAYGRID_CACHE/images, so a rebuild of the images takes seconds.
set -euo pipefail

# podman (through podman.sh), whatever CONTAINER_TOOL `make image` uses: this needs `image exists`
# and `import`, and image-local builds with podman.
tool=$(dirname "$0")/podman.sh
cache=${PAYGRID_CACHE:-$HOME/.cache/paygrid}/images
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
npm_version=${IMAGE_NPM_VERSION:-$(npm --version)}

node_bin=$(command -v node)
node_version=$(node -p process.versions.node)
[[ ${node_version%%.*} -ge 24 ]] || {
  echo "local-bases: node on PATH is $node_version; the image needs Node 24 (run through make)" >&2
  exit 1
}
builder_image=localhost/paygrid/node:${node_version}-${suite}-slim
runtime_image=localhost/paygrid/distroless-nodejs:${node_version}

exists() { bash "$tool" image exists "$1" 2>/dev/null; }
log() { echo "[local-bases] $*" >&2; }

if exists "$builder_image" && exists "$runtime_image"; then
  echo "NODE_IMAGE=$builder_image"
  echo "RUNTIME_IMAGE=$runtime_image"
  exit 0
fi

for cmd in debootstrap podman; do
  command -v "$cmd" >/dev/null || {
    echo "local-bases: '$cmd' is missing; run 'make image-tools' (Debian: apt-get install podman debootstrap)" >&2
    exit 1
  }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache"

# --- Debian minbase, cached as a tarball (debootstrap must run as root: it chroots).
debian_tar=$cache/debian-$suite-minbase.tar
if [[ ! -s $debian_tar ]]; then
  log "debootstrap $suite from $mirror"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$work/debian" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    echo "local-bases: debootstrap failed (above)" >&2
    exit 1
  }
  rm -rf "$work/debian"/var/cache/apt/archives/*.deb "$work/debian"/var/lib/apt/lists/*
  tar --numeric-owner -C "$work/debian" -cf "$debian_tar.part" . && mv "$debian_tar.part" "$debian_tar"
else
  mkdir -p "$work/debian" && tar --numeric-owner -C "$work/debian" -xf "$debian_tar"
fi
root=$work/debian
# Trust what this machine trusts (a company proxy's CA, say): npm ci runs inside the builder,
# and node reads the system bundle only through NODE_EXTRA_CA_CERTS (set on the builder).
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi

# --- builder: Debian + node + npm
if ! exists "$builder_image"; then
  log "building $builder_image"
  install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
  (cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -C "$root/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$work/npm-$npm_version.tgz"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  tar --numeric-owner -C "$root" -cf - . | bash "$tool" import --quiet \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' - "$builder_image" >/dev/null
fi

# --- runtime: what node needs to run, nothing else
if ! exists "$runtime_image"; then
  log "building $runtime_image"
  rt=$work/runtime
  # Debian's multiarch directory (x86_64-linux-gnu, aarch64-linux-gnu) and node's ELF
  # interpreter path (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1).
  triplet=$(uname -m)-linux-gnu
  interp=$(ldd "$node_bin" | awk '!/=>/ && /ld-linux/ {print $1}')
  [[ -n $interp && -d $root/usr/lib/$triplet ]] || {
    echo "local-bases: cannot tell node's loader or Debian's $triplet libraries on this machine" >&2
    exit 1
  }
  mkdir -p "$rt"/{etc/ssl/certs,nodejs/bin,"usr/lib/$triplet",home/nonroot,tmp}
  ln -s usr/lib "$rt/lib"
  [[ $interp == /lib/* ]] || mkdir -p "$rt$(dirname "$interp")"
  [[ -e $rt$interp ]] || ln -s "/usr/lib/$triplet/$(basename "$interp")" "$rt$interp"
  install -m 0755 "$node_bin" "$rt/nodejs/bin/node"
  # The shared libraries node links against (and its loader), from the Debian tree, not the host.
  for lib in $(ldd "$node_bin" | awk '/=>/ {print $1}') "$(basename "$interp")"; do
    cp -L "$root/usr/lib/$triplet/$lib" "$rt/usr/lib/$triplet/$lib"
  done
  cp -L "$root/etc/ssl/certs/ca-certificates.crt" "$rt/etc/ssl/certs/ca-certificates.crt"
  cp "$root/etc/os-release" "$rt/etc/os-release" 2>/dev/null || cp "$root/usr/lib/os-release" "$rt/etc/os-release"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rt/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$rt/etc/group"
  printf 'hosts: files dns\n' >"$rt/etc/nsswitch.conf"
  chmod 1777 "$rt/tmp"
  chown 65532:65532 "$rt/home/nonroot"
  tar --numeric-owner -C "$rt" -cf - . | bash "$tool" import --quiet \
    --change 'USER 65532:65532' \
    --change 'WORKDIR /home/nonroot' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]' - "$runtime_image" >/dev/null
fi

echo "NODE_IMAGE=$builder_image"
echo "RUNTIME_IMAGE=$runtime_image"
