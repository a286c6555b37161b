#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The tenant developer's kit, as a tenant gets it: `make install` into a
# scratch root, then, in an empty directory and with nothing of the tree,
# build a protocol and a guest program from the installed headers, library
# and pkg-config file. Prints "ok -" / "not ok -" lines (scripts/check.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
work=$tmp/work
mkdir -p "$work"

check() { # check DESCRIPTION COMMAND...
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok - $what"
	else
		echo "not ok - $what"
		printf '%s\n' "$out" | tail -n 8 | sed 's/^/# /'
	fi
}

check "make install into a scratch root" \
	make -C "$top" -s install DESTDIR="$root" PREFIX=/usr/local
# The man pages and the completion, from the same install.
"$top/scripts/check-man.sh" --installed "$root/usr/local"
export PKG_CONFIG_PATH=$root/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
check "pkg-config knows chamelio" pkg-config --exists chamelio

# The protocol a tenant starts from: the installed template, alone in an
# empty directory; and the stateful example, built the same way.
cp "$root/usr/local/share/chamelio/examples/template.bpf.c" "$work/my_proto.bpf.c"
cp "$root/usr/local/share/chamelio/examples/udp_kv.bpf.c" "$work/my_kv.bpf.c"
# The slow-path example: its fast path, its agent and the header they share.
for f in kv_cache.bpf.c kv_cache.h kv_agent.c; do
	cp "$root/usr/local/share/chamelio/examples/$f" "$work/"
done
cat >"$work/my_guest.c" <<'C'
#include <stdio.h>
#include <chamguest.h>

int main(int argc, char **argv)
{
	char err[256];
	struct cham_guest *g;

	g = cham_guest_attach(argc > 1 ? argv[1] : "g1", NULL, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	cham_guest_detach(g);
	return 0;
}
C
cd "$work" || exit 1
# shellcheck disable=SC2046 # pkg-config prints several words
check "a protocol builds from the installed kit alone" \
	clang -O2 -g -target bpf -Wall -Werror -nostdinc \
	$(pkg-config --cflags chamelio) -isystem /usr/include \
	-isystem "/usr/include/$(gcc -dumpmachine)" \
	-c my_proto.bpf.c -o my_proto.bpf.o
check "... into an object with its struct_ops section and BTF" \
	sh -c "readelf -S my_proto.bpf.o | grep -q '.struct_ops.link' &&
	       readelf -S my_proto.bpf.o | grep -q ' .BTF '"
# shellcheck disable=SC2046
check "the key-value example builds from the kit too" \
	clang -O2 -g -target bpf -Wall -Werror -nostdinc \
	$(pkg-config --cflags chamelio) -isystem /usr/include \
	-isystem "/usr/include/$(gcc -dumpmachine)" \
	-c my_kv.bpf.c -o my_kv.bpf.o
# The VM loads and runs what was built here (selftests/test_34_author.sh).
mkdir -p "$top/selftests/kit"
check "the kit-built objects go to selftests/kit for the VM" \
	cp my_proto.bpf.o my_kv.bpf.o "$top/selftests/kit/"
# shellcheck disable=SC2046
check "a guest program builds and links against libchamguest" \
	cc -std=gnu11 -Wall -Werror my_guest.c -o my_guest $(pkg-config --cflags --libs chamelio)
check "... and reports a missing guest in its own words" \
	sh -c "! ./my_guest nosuch 2>err && grep -q 'no guest nosuch' err"
# shellcheck disable=SC2046
check "the slow-path example's fast path builds from the kit" \
	clang -O2 -g -target bpf -Wall -Werror -nostdinc \
	$(pkg-config --cflags chamelio) -isystem /usr/include \
	-isystem "/usr/include/$(gcc -dumpmachine)" \
	-c kv_cache.bpf.c -o kv_cache.bpf.o
# shellcheck disable=SC2046
check "... and its agent builds and links against libchamagent" \
	cc -std=gnu11 -Wall -Werror kv_agent.c -o kv_agent \
	$(pkg-config --cflags chamelio) -L"$root/usr/local/lib" -lchamagent -lmnl
