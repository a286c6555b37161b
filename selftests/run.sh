#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs every selftests/test_*.sh in order (inside the VM), numbers their
# checks as TAP and ends with the line "N passed, N failed". CHAM_FILES
# names other scripts to run instead (icount_bound.sh, for its own boot).
cd "$(dirname "$0")" || exit 1

passed=0
failed=0
n=0
echo "TAP version 13"
for test in ${CHAM_FILES:-test_*.sh}; do
	[ -n "${CHAM_TESTS:-}" ] && ! echo " $CHAM_TESTS " | grep -q " ${test%.sh} " &&
		continue
	echo " ${CHAM_SKIP:-} " | grep -q " ${test%.sh} " && continue
	echo "# ${test%.sh}"
	out=/tmp/${test%.sh}.out
	sh "./$test" >"$out" 2>&1
	status=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*)
			n=$((n + 1)); passed=$((passed + 1))
			echo "ok $n - ${test%.sh}: ${line#ok - }" ;;
		"not ok - "*)
			n=$((n + 1)); failed=$((failed + 1))
			echo "not ok $n - ${test%.sh}: ${line#not ok - }" ;;
		*)
			echo "# $line" ;;
		esac
	done <"$out"
	# A test that dies before reporting its failures still fails.
	if [ "$status" -ne 0 ] && ! grep -q '^not ok' "$out"; then
		n=$((n + 1)); failed=$((failed + 1))
		echo "not ok $n - ${test%.sh}: exited with status $status"
	fi
done
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
