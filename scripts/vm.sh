#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command inside a throw-away QEMU guest booted on the Debian cloud
# kernel Chamelio targets, and exit with that command's status.
#
# The host cannot load kernel modules, so every kernel-side test runs here.
# The guest is a busybox initramfs built from scratch on each run: it holds
# the project tree (with its built artefacts) at /chamelio, the network tools
# the tests use and a few kernel modules. scripts/vm-init.sh is its /init.
#
# A run fails when the command fails, when the guest never reports a status
# (kernel panic, timeout) and when the kernel log shows an oops or a WARN: a
# test that passes while the kernel complains has not passed. Only the
# kernel's own messages count, never what the command prints: the guest
# reads the kernel's records from /dev/kmsg after the command (see
# scripts/vm-init.sh) and, when the guest dies before it can, only console
# lines that carry the kernel's timestamp are taken for the kernel's.
#
# QEMU uses software emulation (TCG): KVM is present on the build machines
# but unusable for guests (see /work/shared/ENVIRONMENT.md). --icount makes
# the emulation deterministic for benchmarks: guest time then counts
# executed instructions.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps=$top/.deps

usage() {
	cat <<EOF
usage: scripts/vm.sh [options] [--] [COMMAND...]

Boot the Chamelio test VM and run COMMAND (default: selftests/run.sh) with
"sh -c" in /chamelio, the project tree inside the guest. Several COMMAND
words are joined with spaces, as ssh does. The exit status is the
command's, or non-zero if the guest did not finish cleanly.

options:
  --kver KVER           kernel version (default: contents of .deps/kver)
  --timeout SECONDS     kill the VM after SECONDS (default 900; with
                        --shell, no limit unless given)
  --shell               interactive busybox shell on the console after
                        COMMAND (if any); the VM powers off when it exits
  --log FILE            console log (default .deps/vm-console.log)
  --mem MB              guest memory (default 1024)
  --smp N               guest CPUs (default 2; 1 with --icount)
  --icount              benchmark mode: QEMU runs all vCPUs on one host
                        thread (-accel tcg,thread=single) and its clock
                        counts executed guest instructions (-icount
                        shift=0,sleep=off). Guest time is then executed
                        instructions, 1 ns = 1 instruction: ktime, the TSC
                        and BPF_PROG_TEST_RUN durations count instructions,
                        not cycles (cache misses, mispredictions and memory
                        cost nothing), and do not depend on the host's load.
                        With --smp 2 or more the vCPUs share that one clock
                        and take turns: a span measured on one vCPU can
                        include instructions another one ran.
  --single-thread       all vCPUs on one host thread (-accel
                        tcg,thread=single), without icount: code the
                        kernel patches at run time (the XDP dispatcher
                        when programs attach) cannot be executed stale by
                        another vCPU, which multi-threaded TCG has been
                        seen to do (an int3 oops); slower
  --append-modules "a b"  more kernel modules to pack and load at boot
  --bin PATH            copy a host binary and its libraries to
                        /usr/local/bin in the guest (repeatable; the
                        environment variable VM_BINS adds more, space
                        separated)
  -h, --help            this text

exit status: the command's; 124 on timeout; 125 when the guest ended without
reporting a status (kernel panic, crash); 1 on a kernel oops or warning
(the kernel's own messages, not COMMAND's output that looks like them)
after a command that succeeded (or when the guest could not read the
kernel's log to tell); 2 on a usage or setup error. The status of
a command that itself exits 124 or 125 reads the same.

Set VM_KEEP_TMP=1 to keep the initramfs tree in \$TMPDIR for inspection.
Parallel runs should each pass their own --log.
EOF
}

die() { printf 'vm: error: %s\n' "$*" >&2; exit 2; }
log() { printf 'vm: %s\n' "$*" >&2; }
warn() { printf 'vm: warning: %s\n' "$*" >&2; }

kver=
timeout=
shell=0
log_file=$deps/vm-console.log
mem=1024
smp=
icount=0
single_thread=0
extra_modules=
bins=()

while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?--kver needs a value}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
	--shell) shell=1; shift ;;
	--log) log_file=${2:?--log needs a value}; shift 2 ;;
	--mem) mem=${2:?--mem needs a value}; shift 2 ;;
	--smp) smp=${2:?--smp needs a value}; shift 2 ;;
	--icount) icount=1; shift ;;
	--single-thread) single_thread=1; shift ;;
	--append-modules) extra_modules=${2?--append-modules needs a value}; shift 2 ;;
	--bin) bins+=("${2:?--bin needs a path}"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) break ;;
	esac
done
cmd="$*"

# One vCPU under icount unless asked: a benchmark of one code path must not
# be charged with another vCPU's instructions (see --icount).
if [ -z "$smp" ]; then
	if [ "$icount" = 1 ]; then smp=1; else smp=2; fi
fi

# shellcheck disable=SC2206 # word splitting is the interface of VM_BINS
[ -n "${VM_BINS:-}" ] && bins+=(${VM_BINS})

for n in "$mem" "$smp" ${timeout:+"$timeout"}; do
	[[ $n =~ ^[0-9]+$ ]] || die "not a number: $n"
done
# The default timeout protects unattended runs; someone at an interactive
# shell is debugging and should not be cut off unless they asked for it.
if [ -z "$timeout" ] && [ "$shell" = 0 ]; then
	timeout=900
fi

if [ -z "$kver" ]; then
	[ -f "$deps/kver" ] || die "no .deps/kver: run scripts/deps.sh or pass --kver"
	kver=$(cat "$deps/kver")
fi
kernel=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver
[ -r "$kernel" ] || die "cannot read $kernel (kernel $kver not installed? run scripts/deps.sh)"
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep (kernel $kver not installed?)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (run scripts/deps.sh)"
busybox=$(command -v busybox) || die "busybox not found (install busybox-static)"
# modprobe lives in /usr/sbin, which is not in every user's PATH.
modprobe=$(PATH=$PATH:/usr/sbin:/sbin command -v modprobe) || die "modprobe not found (install kmod)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chamelio-vm.XXXXXX")
# VM_KEEP_TMP=1 keeps the initramfs tree for inspection.
if [ -n "${VM_KEEP_TMP:-}" ]; then
	trap 'log "kept $tmp"' EXIT
else
	trap 'rm -rf "$tmp"' EXIT
fi
root=$tmp/root

#
# The initramfs.
#

# A merged-/usr layout like the host's: ldd names libraries by host paths
# such as /lib/x86_64-linux-gnu/libc.so.6 and they must resolve as-is.
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,usr/local/sbin} \
	"$root"/{dev,proc,sys,tmp,run,root,etc,var/tmp,chamelio}
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"

# copy_libs FILE: copy the shared libraries FILE needs, at their host paths.
copy_libs() {
	local out lib
	# Static binaries make ldd fail ("not a dynamic executable"): they
	# need nothing.
	out=$(ldd "$1" 2>/dev/null) || return 0
	if grep -q 'not found' <<<"$out"; then
		die "$1 needs libraries the host lacks: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
	fi
	while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out")
}

# install_bin PATH [DEST]: copy a host binary with its libraries to DEST in
# the guest (default /usr/local/bin/NAME). A busybox applet link of the same
# name (ip, tc, ...) would shadow it for scripts calling /sbin/ip, so such
# links are pointed at the real binary.
install_bin() {
	local src=$1 name d dest
	name=$(basename "$src")
	dest=${2:-/usr/local/bin/$name}
	if [ ! -f "$src" ] || [ ! -x "$src" ]; then
		die "not an executable file: $src"
	fi
	# --remove-destination: DEST may be a busybox link, and its absolute
	# target /bin/busybox would lead cp to the host's busybox.
	cp -L --remove-destination "$src" "$root$dest"
	copy_libs "$src"
	for d in usr/bin usr/sbin; do
		if [ -L "$root/$d/$name" ]; then
			ln -sfn "$dest" "$root/$d/$name"
		fi
	done
}

# busybox and its applet links. The list names busybox itself (a link
# would replace the binary with a loop) and "linuxrc", an init we do not want.
cp "$busybox" "$root/usr/bin/busybox"
for applet in $("$busybox" --list-full); do
	case $applet in
	*/busybox) ;;
	*/*) ln -sfn /bin/busybox "$root/$applet" ;;
	esac
done

# The shells. Debian's busybox-static shell runs busybox's own applet for
# any command name busybox knows, ahead of PATH (FEATURE_SH_STANDALONE): under
# it, "ip" is busybox ip, which cannot create a veth pair, whatever PATH says.
# So /bin/sh is dash, as on the host, and bash is there for scripts that ask
# for it and for the interactive shell.
install_bin /usr/bin/dash /usr/bin/dash
ln -sfn dash "$root/usr/bin/sh"
install_bin /usr/bin/bash /usr/bin/bash

# The real tools: busybox ip cannot create veth pairs, and the tests drive
# traffic with socat, ncat and iperf3 and read chamctl -j with jq; taskset
# pins a client to one CPU (test_38_hostile).
for tool in ip tc ss socat ncat iperf3 jq ethtool setpriv taskset; do
	path=$(PATH=$PATH:/usr/sbin:/sbin command -v "$tool") || {
		case $tool in
		tc|ss) warn "$tool not found on the host, not in the VM"; continue ;;
		*) die "$tool not found on the host (run scripts/deps.sh)" ;;
		esac
	}
	install_bin "$path"
done
if [ -x "$deps/bin/bpftool" ]; then
	install_bin "$deps/bin/bpftool"
	# Linked with LLVM for JIT disassembly, bpftool drags ~170 MB of
	# libraries (libLLVM, libicudata, libz3) into every boot.
	if ldd "$deps/bin/bpftool" 2>/dev/null | grep -q libLLVM; then
		warn "bpftool links libLLVM, which makes the initramfs ~170 MB bigger; build it with 'make feature-llvm=0 feature-libbfd=0 feature-libbfd-liberty=0 feature-libbfd-liberty-z=0'"
	fi
else
	warn "no $deps/bin/bpftool (run scripts/deps.sh); the VM has no bpftool"
fi
for b in ${bins[@]+"${bins[@]}"}; do
	install_bin "$b"
done
# Even a fully static set of binaries gets the loader, for project programs.
cp -L /lib64/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"

# Name lookups the tools do (localhost, port and protocol names) read these.
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '127.0.0.1\tlocalhost chamelio-vm\n::1\t\tlocalhost ip6-localhost\n' > "$root/etc/hosts"
for f in /etc/protocols /etc/services; do
	[ -f "$f" ] && cp "$f" "$root$f"
done

# Kernel modules, decompressed (busybox insmod reads neither xz nor zstd)
# into /lib/modules/extra with the order to load them in. modprobe
# --show-depends lists a module's dependencies first, itself last.
mkdir -p "$root/lib/modules/extra"
order=$root/lib/modules/extra/load-order
: > "$order"
# veth for every test link; 8021q for the VLAN cases (test_32_length).
for mod in veth 8021q $extra_modules; do
	deplines=$("$modprobe" -S "$kver" --show-depends "$mod" 2>&1) ||
		die "kernel module $mod: $deplines"
	while read -r verb path _; do
		case $verb in
		builtin) continue ;;	# part of the kernel already
		insmod) ;;
		*) continue ;;
		esac
		ko=$(basename "$path")
		ko=${ko%.xz}
		ko=${ko%.zst}
		ko=${ko%.gz}
		grep -qxF "$ko" "$order" && continue
		case $path in
		*.ko.xz) xz -dc "$path" ;;
		*.ko.zst) zstd -dcq "$path" ;;
		*.ko.gz) gzip -dc "$path" ;;
		*.ko) cat "$path" ;;
		*) die "unexpected module file $path" ;;
		esac > "$root/lib/modules/extra/$ko"
		echo "$ko" >> "$order"
	done <<<"$deplines"
done

# The project tree, artefacts included, minus history and the dependency
# cache (which holds a kernel source tree). tar rather than rsync: it is
# everywhere and takes excludes.
tar -C "$top" --exclude=./.git --exclude=./.deps -cf - . | tar -C "$root/chamelio" -xf -
# Built user-space programs may be dynamically linked (libelf, zlib, ...).
while IFS= read -r -d '' f; do
	if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		copy_libs "$f"
	fi
done < <(find "$root/chamelio" -type f -perm -u+x -print0)

install -m 755 "$top/scripts/vm-init.sh" "$root/init"
# What marks an oops or a warning in a kernel message: the guest counts the
# kernel's records that match, this script shows them.
splat_re='BUG:|Oops|WARNING: CPU|Call Trace'
printf '%s\n' "$splat_re" > "$root/splat-re"
printf '%s\n' "$cmd" > "$root/cmd"
[ "$shell" = 1 ] && : > "$root/shell"

initrd=$tmp/initrd.gz
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 > "$initrd"
log "initramfs: $(du -sh "$root" | cut -f1) unpacked, $(du -h "$initrd" | cut -f1) packed"

#
# The run.
#

# oops=panic makes an oops end the run at once instead of leaving a wedged
# guest to the timeout; panic=-1 turns the panic into a reboot and
# -no-reboot turns that into QEMU exiting. WARN()s do not panic
# (panic_on_warn=0): the guest reports them after the command and this
# script fails the run then, with the whole log to read. "quiet" keeps
# warnings off the console (the guest reads them from the log instead);
# should the guest panic, panic_print=0x20 replays the whole log on the
# console, warnings that led to it included.
# tsc=reliable: under emulation the clocksource watchdog sees the TSC skew
# against the HPET whenever the host is busy and switches clocksources,
# flipping static keys; QEMU's TCG has been seen to take the int3 of that
# live code patching as a fault (an oops in sched_clock_tick()).
append="console=ttyS0 quiet panic=-1 panic_on_warn=0 oops=panic panic_print=0x20 tsc=reliable"
accel=(-accel tcg)
mode=TCG
if [ "$single_thread" = 1 ]; then
	accel=(-accel tcg,thread=single)
	mode="TCG, one host thread"
fi
if [ "$icount" = 1 ]; then
	# shift=0: one instruction per virtual nanosecond. sleep=off: when
	# the guest idles, its clock jumps to the next timer deadline instead
	# of following the host's real time, so host load cannot show in it.
	accel=(-accel tcg,thread=single -icount shift=0,sleep=off)
	mode="TCG icount: 1 guest ns = 1 instruction"
fi
qemu=(qemu-system-x86_64 "${accel[@]}" -cpu max -m "$mem" -smp "$smp"
	-nographic -no-reboot -nic none
	-kernel "$kernel" -initrd "$initrd" -append "$append")

mkdir -p "$(dirname "$log_file")"
run_timeout=()
if [ -n "$timeout" ]; then
	# --foreground keeps QEMU in our process group, so Ctrl-C still
	# reaches it; -k: SIGKILL if SIGTERM is not enough.
	run_timeout=(timeout --foreground -k 10 "$timeout")
fi

log "booting $kver ($mode, ${mem} MB, $smp CPUs)${timeout:+, timeout ${timeout}s}"
start=$SECONDS
set +e
if [ "$shell" = 1 ]; then
	# Interactive: QEMU owns the terminal (raw mode) and the console goes
	# to it unaltered; the log is cleaned afterwards.
	${run_timeout[@]+"${run_timeout[@]}"} "${qemu[@]}" | tee "$tmp/console.raw"
	qemu_status=${PIPESTATUS[0]}
	tr -d '\r' < "$tmp/console.raw" > "$log_file"
else
	# Batch: nothing to type, and a terminal left in QEMU's raw mode would
	# swallow Ctrl-C. sed -u passes each line on at once, so CI shows
	# progress live.
	#
	# Under TCG the kernel now and then dies while it boots, before /init
	# and any of our code runs (an int3 of live text patching, seen on
	# this machine). That says nothing about the command: boot again, up
	# to twice, and keep the failed boot's console next to the log.
	for attempt in 1 2 3; do
		${run_timeout[@]+"${run_timeout[@]}"} "${qemu[@]}" < /dev/null 2>&1 |
			sed -u 's/\r//g' | tee "$log_file"
		qemu_status=${PIPESTATUS[0]}
		[ "$qemu_status" = 124 ] && break
		grep -aq 'chamelio-vm: init started' "$log_file" && break
		[ "$attempt" = 3 ] && break
		cp "$log_file" "$log_file.boot$attempt"
		log "the guest kernel died before /init (console: $log_file.boot$attempt); booting again"
	done
fi
set -e
elapsed=$((SECONDS - start))

if [ -n "$timeout" ] && [ "$qemu_status" = 124 ]; then
	log "TIMEOUT: the guest did not finish within ${timeout}s; QEMU killed"
	log "console log: $log_file"
	exit 124
fi

# The last marker wins; -o because a kernel message may share its line.
marker=$(grep -ao 'CHAMELIO-VM-EXIT=[0-9]*' "$log_file" | tail -n1 || true)

if [ -n "$marker" ]; then
	# The guest's report on the kernel log: the number of the kernel's
	# records that match $splat_re ("unknown" if it could not read the
	# log), and, when there are some, the kernel's records between BEGIN
	# and END lines. What the command printed has no part in either.
	splats=$(grep -aoE 'CHAMELIO-VM-KERNEL-SPLATS=([0-9]+|unknown)' "$log_file" | tail -n1 || true)
	splats=${splats#CHAMELIO-VM-KERNEL-SPLATS=}
	[ -n "$splats" ] || splats=unknown
	splat=$(awk '$0 == "CHAMELIO-VM-KERNEL-LOG-BEGIN" { n = 0; copy = 1; next }
		$0 == "CHAMELIO-VM-KERNEL-LOG-END" { copy = 0; next }
		copy { line[n++] = $0 }
		END { for (i = 0; i < n; i++) print line[i] }' "$log_file" |
		grep -aE "$splat_re" || true)
else
	# The guest died before it could report (an oops is made a panic).
	# Its last words on the console are the kernel's only where they
	# carry the kernel's timestamp, "[    1.234567] ", which may follow
	# other output on the same line.
	splats=unknown
	splat=$(grep -aoE '\[ *[0-9]+\.[0-9]{6}\] .*' "$log_file" |
		grep -aE "$splat_re|Kernel panic" || true)
fi

if [ -n "$splat" ]; then
	log "the kernel reported problems:"
	printf '%s\n' "$splat" | head -n 40 >&2
fi

if [ -z "$marker" ]; then
	why="the guest ended without reporting a status (QEMU status $qemu_status)"
	if grep -aqE '\[ *[0-9]+\.[0-9]{6}\] Kernel panic' "$log_file"; then
		why="the guest kernel panicked"
	fi
	log "FAILED after ${elapsed}s: $why"
	log "console log: $log_file"
	exit 125
fi

status=${marker#CHAMELIO-VM-EXIT=}
if [ "$status" = 0 ] && [ "$splats" != 0 ]; then
	if [ "$splats" = unknown ]; then
		log "FAILED after ${elapsed}s: the command succeeded but the guest could not check the kernel log"
	else
		log "FAILED after ${elapsed}s: the command succeeded but the kernel oopsed or warned"
	fi
	log "console log: $log_file"
	exit 1
fi
if [ "$status" != 0 ]; then
	log "FAILED after ${elapsed}s: the command exited with status $status"
	log "console log: $log_file"
else
	log "done in ${elapsed}s"
fi
exit "$status"
