#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# chamctl's manners: --version; a value out of range is refused with the
# range, whether chamctl or the kernel's netlink policy refuses it; libbpf
# is heard only with -v (or when a command fails); and stats shows handler
# cycles as time, agreeing with the raw cycles of -j and the clock rate the
# module reports.
. ./lib.sh

load_module
reset_state

# ---- --version and -V ---------------------------------------------------------

version=$(chamctl --version 2>/tmp/version.err)
check_eq "--version: exit status 0" 0 $?
check "--version: nothing on stderr" test ! -s /tmp/version.err
first=$(printf '%s\n' "$version" | head -n 1)
diag "$version"
check "--version: first line is 'chamctl VERSION (netlink N)'" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "^chamctl [^ ]+ \(netlink [0-9]+\)$"' _ "$first"
ours=$(printf '%s\n' "$first" | sed -n 's/.*(netlink \([0-9]*\))$/\1/p')
check_eq "--version: the loaded module's netlink version, the same as chamctl's" \
	"module chamelio loaded (netlink $ours)" \
	"$(printf '%s\n' "$version" | sed -n 2p)"
check_eq "-V prints what --version prints" "$version" "$(chamctl -V 2>&1)"
check_eq "--version wins over a command after it" "$version" \
	"$(chamctl --version tenant show 2>&1)"

unload_module
out=$(chamctl --version 2>&1)
check_eq "--version without the module: exit status 0" 0 $?
check_eq "--version without the module: chamctl's line only" "$first" "$out"
load_module

# ---- every range error says the range ----------------------------------------

# check_range DESCRIPTION RANGE COMMAND...: COMMAND fails and its message
# has RANGE (a fixed string, the allowed values with their numbers).
check_range() {
	local what="$1" range="$2" out
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$what (unexpectedly succeeded)"
	elif printf '%s\n' "$out" | grep -qF -- "$range"; then
		ok "$what"
		diag "$(printf '%s\n' "$out" | grep -F -- "$range" | head -n 1)"
	else
		not_ok "$what (failed without naming '$range')"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 3
	fi
}

chamctl tenant add tp id 10 >/dev/null
chamctl tenant show tp >/tmp/tp.before

# Refused by the kernel's netlink policy: the extack carries the policy,
# and chamctl (nl_ack.c) says its range.
check_range "tenant add id 0: the kernel's tenant id range" \
	"integer out of range: valid range 1..65535" chamctl tenant add x id 0
check_range "tenant add id 65536: the kernel's tenant id range" \
	"valid range 1..65535" chamctl tenant add x id 65536
check_range "tenant show 0: the kernel's tenant id range" \
	"valid range 1..65535" chamctl tenant show 0
check_range "guest show 0: the kernel's guest id range" \
	"valid range 1..65535" chamctl guest show 0
check_range "rule del 0: the kernel's rule id range" \
	"valid range 1..4294967295" chamctl rule del 0
out=$(chamctl tenant add x id 0 2>&1)
check_eq "a policy refusal: exit status 1, errno ERANGE" 1 $?
check "... with the kernel's errno and its message" \
	sh -c 'printf "%s\n" "$1" | grep -q "Numerical result out of range (integer out of range: valid range"' _ "$out"

# Refused by chamctl before the kernel.
check_range "tenant id 65536 as a reference" "tenant ids are 1 to 65535" \
	chamctl tenant show 65536
check_range "share 0" "0.01% to 100%" chamctl tenant set tp share 0
check_range "share 100.5%" "0.01% to 100%" chamctl tenant set tp share 100.5%
check_range "burst 0us" "1us to 1s" chamctl tenant set tp burst 0us
check_range "burst 2s" "1us to 1s" chamctl tenant set tp burst 2s
check_range "ceiling 2s" "1ns to 1s" chamctl tenant set tp ceiling 2s
check_range "ecn-threshold 101%" "0 to 100" chamctl tenant set tp ecn-threshold 101%
check_range "punt-queue 0" "1 to 65536" chamctl tenant set tp punt-queue 0
check_range "timers 65537" "0 to 65536" chamctl tenant set tp timers 65537
check_range "config contention 2s" "1us to 1s" chamctl config set contention 2s
check_range "rule prefix length 33" "0-32" \
	chamctl rule add tp dst 10.0.0.0/33
check_range "rule prefix length 129" "0-128" \
	chamctl rule add tp dst fd00::/129
check_range "rule dport 65536" "0-65535" \
	chamctl rule add tp dst 10.0.0.0/8 proto udp dport 65536
check_range "agent msg TYPE 4294967296" "0 to 4294967295" \
	chamctl agent msg tp 4294967296
chamctl tenant show tp >/tmp/tp.after
check "refused values changed nothing" cmp -s /tmp/tp.before /tmp/tp.after
chamctl tenant del tp

# ---- no libbpf noise without -v ----------------------------------------------

setup_net
check "port attach cham0" chamctl port attach cham0
# The kernel refuses a port twice (EEXIST); libbpf first finds the XDP
# program attached, which chamctl expects and libbpf warns about.
chamctl port attach cham0 >/tmp/attach.out 2>/tmp/attach.err
check_eq "a second port attach: exit status 1" 1 $?
check_eq "... and only chamctl's one line, no libbpf" \
	"chamctl: adding port cham0: File exists (interface is already a Chamelio port)" \
	"$(cat /tmp/attach.out /tmp/attach.err)"
chamctl -v port attach cham0 >/dev/null 2>/tmp/attach.err
check_eq "a second port attach with -v: exit status 1" 1 $?
check "... shows what libbpf says" grep -q "^libbpf: " /tmp/attach.err
check "... including the kernel's refusal of the attach" \
	grep -q "^libbpf: Kernel error message: XDP program already attached" /tmp/attach.err
check "... and chamctl's own message last" sh -c \
	'tail -n 1 /tmp/attach.err | grep -q "^chamctl: adding port cham0: File exists"'
diag "$(grep -c "^libbpf: " /tmp/attach.err) lines from libbpf with -v, such as:"
grep "^libbpf: " /tmp/attach.err | tail -n 2 | sed 's/^/# /'

# A refusal chamctl explains itself: its own message, not libbpf's.
chamctl port attach cham0 mode generic >/dev/null 2>/tmp/attach.err
check_eq "port attach in the other mode is refused: exit status 1" 1 $?
check "... saying why" grep -q "already has XDP program 'cham_xdp'" /tmp/attach.err
check "... without libbpf's words" sh -c '! grep -q "libbpf" /tmp/attach.err'
sed 's/^/# /' /tmp/attach.err

# ---- handler cycles shown as time --------------------------------------------

chamctl tenant add alpha id 1 >/dev/null
chamctl rule add alpha dst $HOST4/32 proto udp dport 7000 >/dev/null
check "udp_echo loads for alpha" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha
for i in 1 2 3 4 5; do
	udp_ask $HOST4 7000 "ping$i" >/dev/null
done
check_eventually_eq "five handler calls" 5 counter alpha .handler_calls
chamctl tenant add slow id 2 >/dev/null
if check "the slowpath test protocol loads for tenant slow" \
	chamctl proto load "$CHAM/selftests/progs/slowpath.bpf.o" tenant slow; then
	chamctl agent msg slow 1 str hello >/dev/null
fi

tsc_khz=$(chamctl -j config show | jq .tsc_khz)
json=$(chamctl -j stats)
table=$(chamctl stats)
diag "tsc_khz $tsc_khz"
printf '%s\n' "$table" | sed 's/^/# /'
check "the module reports its clock rate" test "$tsc_khz" -gt 0

# jq_ns CYCLES-PATH: a tenant's cycles in ns, as chamctl must compute them.
ns_of() {
	printf '%s' "$json" | jq --argjson khz "$tsc_khz" \
		"map(select(.name == \"$1\"))[0] | ($2 * 1000000 / \$khz | floor)"
}
# column NAME TENANT: the cell of column NAME in TENANT's row of the table.
column() {
	printf '%s\n' "$table" | awk -v col="$1" -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
		NR > 1 && $2 == name && c { print $c }'
}

check "the table has AVG_NS and MAX_US" \
	sh -c 'printf "%s\n" "$1" | head -n 1 | grep -q " CALLS *AVG_NS *MAX_US "' _ "$table"
check "... and no cycles" \
	sh -c '! printf "%s\n" "$1" | grep -q CYCLES' _ "$table"

calls=$(printf '%s' "$json" | jq 'map(select(.name == "alpha"))[0].handler_calls')
handler_ns=$(ns_of alpha .handler_cycles)
max_ns=$(ns_of alpha .handler_max_cycles)
avg_ns=$((handler_ns / calls))
diag "alpha: $calls calls, $handler_ns ns in all, average $avg_ns ns, longest $max_ns ns"
check_eq "AVG_NS: the average call, from -j's cycles and tsc_khz" \
	"$avg_ns" "$(column AVG_NS alpha)"
check_eq "MAX_US: the longest call in us to a tenth, from -j's cycles" \
	"$((max_ns / 1000)).$((max_ns % 1000 / 100))" "$(column MAX_US alpha)"
check "AVG_NS is plausible: above 0, at most the longest call" \
	test "$avg_ns" -gt 0 -a "$avg_ns" -le "$max_ns"
check_eq "no calls: AVG_NS and MAX_US are -" "- -" \
	"$(column AVG_NS '(unclassified)') $(column MAX_US '(unclassified)')"

check_eq "-j keeps the raw cycles and adds the time in ns" \
	"[$handler_ns,$max_ns,$(ns_of alpha .infra_cycles)]" \
	"$(printf '%s' "$json" | jq -c 'map(select(.name == "alpha"))[0] | [.handler_ns, .handler_max_ns, .infra_ns]')"
check_eq "-j: the slow path's cycles in ns too" \
	"[$(ns_of slow .punt_cycles),$(ns_of slow .timer_cycles),$(ns_of slow .msg_cycles)]" \
	"$(printf '%s' "$json" | jq -c 'map(select(.name == "slow"))[0] | [.punt_ns, .timer_ns, .msg_ns]')"
check_eq "-j of one tenant has the same times" \
	"$handler_ns" "$(chamctl -j stats alpha | jq .handler_ns)"
check "the slowpath_msg call's time is in the table's slow path note" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "slow path:.* msg_calls=1 msg_time=[0-9.]+(ns|us|ms|s)"' _ "$table"

chamctl proto unload alpha >/dev/null
chamctl proto unload slow >/dev/null
reset_state
finish
