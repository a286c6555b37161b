#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the host-side checks, then the selftests inside the VM.
# Prints TAP-style lines and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

deps=.deps
passed=0
failed=0

count() { # count OUTPUT: add the ok / not ok lines of a test's output
	local p f
	p=$(grep -c '^ok ' <<<"$1")
	f=$(grep -c '^not ok ' <<<"$1")
	passed=$((passed + p))
	failed=$((failed + f))
}

echo "# host: YNL spec against the kernel's schema, uapi/linux/chamelio.h and kmod/netlink.c"
# Debian's python3, where scripts/deps.sh installs yaml and jsonschema.
out=$(/usr/bin/python3 scripts/check-ynl-spec.py Documentation/netlink/specs/chamelio.yaml \
	uapi/linux/chamelio.h "$deps/linux-source/Documentation/netlink" kmod/netlink.c 2>&1)
status=$?
printf '%s\n' "$out"
count "$out"
if [ $status -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
	echo "not ok - YNL spec check exited with status $status"
	failed=$((failed + 1))
fi

echo "# host: checkpatch on the module"
if out=$(perl "$deps/linux-source/scripts/checkpatch.pl" --no-tree --terse -q -f \
	$(ls kmod/*.c kmod/*.h | grep -v '\.mod\.c$') 2>&1); then
	echo "ok - checkpatch: kmod/ is clean"
	passed=$((passed + 1))
else
	echo "not ok - checkpatch: kmod/ has findings"
	printf '%s\n' "$out" | sed 's/^/# /'
	failed=$((failed + 1))
fi

# host_test NAME WHAT: a host unit test of module code, its checks counted.
host_test() {
	local out status
	echo "# host: $2 (selftests/$1)"
	if [ ! -x "selftests/$1" ]; then
		echo "not ok - selftests/$1 is not built (make selftests)"
		failed=$((failed + 1))
		return
	fi
	out=$("selftests/$1" 2>&1)
	status=$?
	printf '%s\n' "$out"
	count "$out"
	# A crash (a sanitizer report) part-way must count too.
	if [ $status -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		echo "not ok - $1 exited with status $status"
		failed=$((failed + 1))
	fi
}
host_test budget_test "time-protection arithmetic"
host_test steer_test "the steering index against a linear scan"

echo "# host: the tenant developer's kit (make install, then build outside the tree), man pages, completion"
out=$(scripts/check-kit.sh 2>&1)
printf '%s\n' "$out"
count "$out"

# vm_run NAME VM-OPTIONS... -- COMMAND: one VM boot, its checks counted.
vm_run() {
	local name=$1 log=$deps/check-console-$1.log summary f vm_status
	shift
	scripts/vm.sh --log "$log" "$@" | tee "$deps/check-vm-$name.out"
	vm_status=${PIPESTATUS[0]}
	summary=$(tr -d '\r' <"$deps/check-vm-$name.out" |
		grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1)
	f=
	if [ -n "$summary" ]; then
		passed=$((passed + ${summary%% passed*}))
		f=${summary#*, }
		failed=$((failed + ${f%% failed}))
	fi
	# A run that ends without its summary, or with a kernel splat the
	# runner caught, is a failure however many checks passed before.
	if [ -z "$summary" ] || { [ "$vm_status" -ne 0 ] && [ "${f%% failed}" = 0 ]; }; then
		echo "not ok - VM run $name failed (status $vm_status); console log: $log"
		failed=$((failed + 1))
	fi
}

echo "# vm: selftests/run.sh in QEMU"
vm_run main --timeout "${CHECK_TIMEOUT:-1320}" -- \
	'CHAM_SKIP="test_45_guest" selftests/run.sh'
# The guest test attaches and detaches XDP programs under traffic, which
# re-patches the kernel's XDP dispatcher; multi-threaded TCG has been seen
# to run the patched jump stale on the other vCPU (an int3 oops in
# bpf_dispatcher_xdp_func): its own boot, on one host thread.
echo "# vm: test_45_guest in QEMU, one host thread"
vm_run guest --single-thread --timeout 900 -- \
	'CHAM_TESTS="test_45_guest" selftests/run.sh'

# What a victim can rely on, checked as a bound in time: only instruction
# counting makes time exact enough for that (selftests/icount_bound.sh).
echo "# vm: selftests/icount_bound.sh in QEMU, instruction-count mode"
vm_run bound --icount --smp 2 --timeout 900 -- \
	'CHAM_ICOUNT=1 CHAM_FILES=icount_bound.sh selftests/run.sh'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
