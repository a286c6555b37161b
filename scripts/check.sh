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

echo "# host: checkpatch on the modules"
if out=$(perl "$deps/linux-source/scripts/checkpatch.pl" --no-tree --terse -q -f \
	$(ls kmod/*.c kmod/*.h selftests/warn_module/*.c | grep -v '\.mod\.c$') 2>&1); then
	echo "ok - checkpatch: kmod/ and selftests/warn_module/ are clean"
	passed=$((passed + 1))
else
	echo "not ok - checkpatch: kmod/ or selftests/warn_module/ has findings"
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

# vm_boot NAME VM-OPTIONS... -- COMMAND: one VM boot. The console (vm.sh's
# stdout) is shown and kept in .deps/check-vm-NAME.out, the runner's own
# messages (stderr) in .deps/check-vm-NAME.err: the oops checks below read
# what the runner cited. Sets vm_status.
vm_boot() {
	local name=$1 err=$deps/check-vm-$1.err
	shift
	# The stderr tee holds the pipe to the stdout tee open: the pipeline
	# ends only when both copies are complete.
	scripts/vm.sh --log "$deps/check-console-$name.log" "$@" \
		2> >(tee "$err" >&2) | tee "$deps/check-vm-$name.out"
	vm_status=${PIPESTATUS[0]}
}

# vm_run NAME VM-OPTIONS... -- COMMAND: one VM boot, its checks counted.
vm_run() {
	local name=$1 log=$deps/check-console-$1.log summary f
	shift
	vm_boot "$name" "$@"
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

# Output that looks like kernel trouble but is not the kernel's: the runner
# must not fail a run for it (issue 13). It goes to stdout, stderr and,
# filed as user space's, to the kernel log through /dev/kmsg (the <0> one
# reaches the console with a kernel timestamp), ahead of the main run,
# which must pass all the same.
noise_tag=chamelio-check-noise
noise="echo 'Oops: $noise_tag'; echo 'BUG: $noise_tag' >&2"
noise+="; echo 'WARNING: CPU: 0 PID: 1 at $noise_tag'; echo 'Call Trace: $noise_tag' >&2"
noise+="; echo '[    1.234567] Oops: $noise_tag' >&2"
noise+="; echo '<4>WARNING: CPU: 0 PID: 1 at $noise_tag (kmsg)' >/dev/kmsg"
noise+="; echo '<0>BUG: $noise_tag (kmsg)' >/dev/kmsg"

echo "# vm: selftests/run.sh in QEMU"
vm_run main --timeout "${CHECK_TIMEOUT:-1320}" -- \
	"$noise; CHAM_SKIP=\"test_45_guest\" selftests/run.sh"

# The noise must have reached the console (else this check proves nothing)
# and the runner must have cited none of it as a kernel problem. Whether the
# run passed is the run's own check: a real kernel warning fails that one,
# not this.
console=$deps/check-console-main.log
what="vm: a command printing Oops, BUG:, WARNING: CPU and Call Trace is no kernel problem"
if ! grep -qxF "Oops: $noise_tag" "$console" ||
	! grep -qxF "Call Trace: $noise_tag" "$console" ||
	! grep -qE "^\[ *[0-9]+\.[0-9]{6}\] BUG: $noise_tag \(kmsg\)" "$console"; then
	echo "not ok - $what (the noise is not in $console)"
	failed=$((failed + 1))
elif grep -q "$noise_tag" "$deps/check-vm-main.err"; then
	echo "not ok - $what (the runner cited it)"
	grep "$noise_tag" "$deps/check-vm-main.err" | sed 's/^/# /'
	failed=$((failed + 1))
else
	echo "ok - $what"
	passed=$((passed + 1))
fi

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

# A real WARN from a kernel record, while the command succeeds, must fail
# the run with the runner's "oopsed or warned" verdict and the WARNING line
# cited: Debian's kernel has no lkdtm, so a test-only module warns as it
# loads.
echo "# vm: a real kernel WARN (selftests/warn_module) in QEMU"
what="vm: a kernel WARN fails a run whose command succeeded"
if [ ! -f selftests/warn_module/cham_warn.ko ]; then
	echo "not ok - $what (selftests/warn_module/cham_warn.ko is not built: make selftests)"
	failed=$((failed + 1))
else
	vm_boot warn --timeout 300 -- 'insmod selftests/warn_module/cham_warn.ko'
	err=$deps/check-vm-warn.err
	if [ "$vm_status" = 1 ] &&
		grep -q 'the command succeeded but the kernel oopsed or warned' "$err"; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what (vm.sh status $vm_status; console log: $deps/check-console-warn.log)"
		failed=$((failed + 1))
	fi
	if grep -qE '^\[ *[0-9]+\.[0-9]{6}\] WARNING: CPU: [0-9]+ PID: [0-9]+ at .*cham_warn_init' "$err"; then
		echo "ok - vm: the runner cites the kernel's WARNING line"
		passed=$((passed + 1))
	else
		echo "not ok - vm: the runner cites the kernel's WARNING line"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
