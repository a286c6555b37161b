#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing Chamelio needs, idempotently.
#
# Debian packages come from apt. libbpf 1.5 and bpftool 7.5 are built from
# Debian's linux-source-6.12, because bookworm's libbpf 1.1 cannot load
# struct_ops whose type is defined by a module. Everything built here lives in
# $DEPS (git-ignored) and a stamp file makes the second run a no-op.
#
# Environment:
#   DEPS=dir          cache directory (default: .deps in the tree)
#   KVER=6.12.N+deb12-cloud-amd64   kernel to use (default: newest in apt)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DEPS=${DEPS:-$top/.deps}
mkdir -p "$DEPS"

log() { printf 'deps: %s\n' "$*" >&2; }

apt_packages=(
	qemu-system-x86 busybox-static clang llvm dwarves libelf-dev zlib1g-dev
	libmnl-dev iproute2 socat ncat iperf3 jq ethtool xz-utils kmod make gcc
	cpio python3 python3-yaml python3-jsonschema python3-matplotlib pkg-config
	mandoc man-db
)

newest_kver() {
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-cloud-amd64$' |
		awk '{print $1}' | sed 's/^linux-headers-//' | sort -V | tail -n1
}

need_apt=0
for p in "${apt_packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_apt=1
done

if [ -z "${KVER:-}" ] && [ -f "$DEPS/kver" ]; then
	KVER=$(cat "$DEPS/kver")
fi
if [ -z "${KVER:-}" ] || [ ! -d "/usr/src/linux-headers-$KVER" ] || [ ! -f "/boot/vmlinuz-$KVER" ]; then
	need_apt=1
fi

# The archive can fail a request now and then; CI must not fail with it.
retry() {
	local i
	for i in 1 2 3; do
		"$@" && return 0
		log "'$*' failed, attempt $i of 3"
		sleep $((i * 10))
	done
	return 1
}

export DEBIAN_FRONTEND=noninteractive
if [ "$need_apt" = 1 ]; then
	log "installing Debian packages"
	retry apt-get update -qq
	if [ -z "${KVER:-}" ]; then
		KVER=$(newest_kver)
		[ -n "$KVER" ] || { log "no linux-headers-6.12.*-cloud-amd64 in apt"; exit 1; }
	fi
	retry apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" \
		"linux-headers-$KVER" "linux-image-$KVER" >"$DEPS/apt.log" 2>&1 ||
		{ tail -n 30 "$DEPS/apt.log" >&2; exit 1; }
fi
echo "$KVER" >"$DEPS/kver"

# --- libbpf 1.5 and bpftool 7.5 from linux-source-6.12 -----------------------
src_stamp="$DEPS/linux-source.stamp"
src="$DEPS/linux-source"
if [ ! -f "$src_stamp" ]; then
	log "extracting linux-source-6.12 (tools only)"
	rm -rf "$DEPS/src-deb" "$src"
	mkdir -p "$DEPS/src-deb" "$src"
	(cd "$DEPS/src-deb" && retry apt-get download -qq linux-source-6.12 >/dev/null)
	dpkg -x "$DEPS"/src-deb/linux-source-6.12_*.deb "$DEPS/src-deb/x"
	tar -C "$src" --strip-components=1 -xJf "$DEPS"/src-deb/x/usr/src/linux-source-6.12.tar.xz \
		--wildcards 'linux-source-6.12/tools' 'linux-source-6.12/include/uapi' \
		'linux-source-6.12/include/linux/*.h' 'linux-source-6.12/kernel/bpf' \
		'linux-source-6.12/scripts' 'linux-source-6.12/arch/x86/include/uapi' \
		'linux-source-6.12/Makefile' 'linux-source-6.12/.clang-format' \
		'linux-source-6.12/Documentation/netlink'
	rm -rf "$DEPS/src-deb"
	touch "$src_stamp"
fi

bpftool_stamp="$DEPS/bpftool.stamp"
patch="$top/scripts/patches/bpftool-module-struct-ops.patch"
if [ ! -f "$bpftool_stamp" ] || [ "$patch" -nt "$bpftool_stamp" ]; then
	log "building libbpf 1.5 and bpftool 7.5"
	# Applied once; a tree that already has it is left alone.
	if ! (cd "$src" && patch -p1 -R --dry-run -s -f <"$patch" >/dev/null); then
		(cd "$src" && patch -p1 --forward -s <"$patch")
	fi
	# Without LLVM and libbfd (JIT disassembly): they would drag ~170 MB
	# of libraries into every VM boot.
	make -s -C "$src/tools/bpf/bpftool" -j"$(nproc)" feature-llvm=0 \
		feature-libbfd=0 feature-libbfd-liberty=0 \
		feature-libbfd-liberty-z=0 >"$DEPS/bpftool-build.log" 2>&1 ||
		{ tail -n 30 "$DEPS/bpftool-build.log" >&2; exit 1; }
	mkdir -p "$DEPS/bin"
	cp "$src/tools/bpf/bpftool/bpftool" "$DEPS/bin/bpftool"
	touch "$bpftool_stamp"
fi
log "ready: kernel $KVER, $("$DEPS/bin/bpftool" version | head -n1)"
