#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (scripts/bench/fastpath.sh boots it): the per-packet cost of
# udp_echo through Chamelio against the same echo as one standalone XDP
# program and as C inside the module (the native baseline, when the module
# has the native_tenant parameter), the handler called directly against
# through its trampoline (when the module has the direct_call parameter),
# cycle accounting on against off, egress validation on against off, a
# long rule table against a short one, and where Chamelio's cost goes, all
# with BPF_PROG_TEST_RUN. Runs are interleaved so that drift in the
# emulator hits every configuration alike.
# Then two scaling series, each with accounting and validation on:
#  - steering: the table holds STEER_RULES rules, alpha's rule added last
#    behind the others (the worst place in a table scanned in order), and a
#    frame to alpha and one that no rule matches are timed at each size;
#  - tenants: TENANT_STEPS tenants, each running udp_echo behind a rule of
#    its own (a port of one shared address, then an address of its own),
#    and every tenant's frame timed in turn.
#
# MODE says how the VM runs: "icount" (scripts/vm.sh --icount), where a
# guest nanosecond is one executed instruction and the durations are
# instruction counts, or "tcg", where they are emulated time.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

MODE=${MODE:-tcg}
REPEAT=${REPEAT:-200000}
ROUNDS=${ROUNDS:-9}
FILLER_RULES=${FILLER_RULES:-32}
# Rule-table sizes of the steering series, and the tenants their N - 1
# other rules are spread over.
STEER_RULES=${STEER_RULES:-1 64 1024 4096}
STEER_TENANTS=${STEER_TENANTS:-16}
# 1: the other rules' /28s in 10.77.0.0/16, the timed frames' /16 (beside
# 10.77.0.0/24), as when a provider's tenants share its address block.
STEER_SHARED_BLOCK=${STEER_SHARED_BLOCK:-0}
# Tenant counts of the tenant series, the packets of each test run there
# and its rounds (a round is one run per tenant).
TENANT_STEPS=${TENANT_STEPS:-1 16 64 256}
TENANT_REPEAT=${TENANT_REPEAT:-2000}
TENANT_ROUNDS=${TENANT_ROUNDS:-3}
FRAMES=$CHAM/scripts/bench/frames
PARAMS=/sys/module/chamelio/parameters
ACCOUNTING=$PARAMS/cycle_accounting
VALIDATION=$PARAMS/egress_validation
# Which tenant runs the module's C udp_echo instead of its protocol: the
# native baseline of the programmability tax (0: none).
NATIVE=$PARAMS/native_tenant
# Whether handlers are called directly (1) or through their struct_ops
# trampoline (0).
DIRECT_CALL=$PARAMS/direct_call

die() { echo "bench: $*" >&2; exit 1; }

# ascending WHAT LIST: LIST is positive numbers in increasing order (the
# series only ever add rules and tenants).
ascending() {
	prev=0
	for v in $2; do
		case $v in
		'' | *[!0-9]*) die "$1 must be numbers, not '$2'" ;;
		esac
		[ "$v" -gt "$prev" ] || die "$1 must increase from 1 on, not '$2'"
		prev=$v
	done
	[ "$prev" -gt 0 ] || die "$1 is empty"
}
ascending STEER_RULES "$STEER_RULES"
ascending TENANT_STEPS "$TENANT_STEPS"
[ "$TENANT_REPEAT" -gt 0 ] || die "TENANT_REPEAT must be positive"
[ "$TENANT_ROUNDS" -gt 0 ] || die "TENANT_ROUNDS must be positive"

# Port 7000: udp_echo (tenant alpha). 7001: a tenant without protocol
# (default pass). 7002: a handler that does nothing (returns punt). 7003:
# udp_echo again (tenant delta), whose rule comes after FILLER_RULES /24
# rules of another tenant, which steering and egress validation each pass
# when they scan the table in order. 9: no rule.
# A fixed seed for the steering index: its probe chains, and so the
# instruction counts, are then the same from one boot to the next.
insmod "$KO" steer_seed=0x5eed
[ -e "$VALIDATION" ] || die "no $VALIDATION: this module has no egress validation"
mkdir -p "$PIN"
chamctl tenant add alpha id 1 >/dev/null
chamctl tenant add beta id 2 default pass >/dev/null
chamctl tenant add gamma id 3 >/dev/null
chamctl tenant add delta id 4 >/dev/null
chamctl rule add alpha dst 10.77.0.1/32 proto udp dport 7000 >/dev/null
chamctl rule add beta dst 10.77.0.1/32 proto udp dport 7001 >/dev/null
chamctl rule add gamma dst 10.77.0.1/32 proto udp dport 7002 >/dev/null
i=0
while [ $i -lt "$FILLER_RULES" ]; do
	chamctl rule add beta dst 10.78.$i.0/24 proto udp dport 7000 >/dev/null
	i=$((i + 1))
done
chamctl rule add delta dst 10.77.0.1/32 proto udp dport 7003 >/dev/null
nrules=$(chamctl -j rule show | jq length)
before=$((nrules - 1))	# rules before delta's, the last
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant delta >/dev/null
chamctl proto load "$CHAM/selftests/progs/fixed_punt.bpf.o" tenant gamma >/dev/null
bpftool prog load "$BPF/cham_xdp.bpf.o" "$PIN/bench_chamelio" type xdp
bpftool prog load "$BPF/udp_echo_standalone.bpf.o" "$PIN/bench_standalone" type xdp

# cham0, the port every test run names as ingress (testrun-vm.sh).
. "$CHAM/scripts/bench/testrun-vm.sh"
bench_port
# The tenant series' frames (one port per tenant) all have the length of
# udp4_7000.bin and share its context.
for port in 7000 7000_nocsum 7001 7002 7003 9; do
	make_ctx "$FRAMES/udp4_$port.bin"
done

# test_run WHAT PROG FRAME CTX REPEAT RETVAL: the average duration of
# REPEAT runs of PROG on FRAME, which must return RETVAL.
test_run() {
	out=$(bpftool prog run pinned "$PIN/$2" data_in "$3" ctx_in "$4" repeat "$5")
	case $out in
	*"Return value: $6,"*) ;;
	*) die "$1 did not return $6: $out" ;;
	esac
	printf '%s\n' "$out" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
}

# measure NAME PROG FRAME RETVAL [ACCOUNTING [VALIDATION]]: one run,
# appended to /tmp/NAME. FRAME names scripts/bench/frames/udp4_FRAME.bin.
measure() {
	echo "${5:-1}" >"$ACCOUNTING"
	echo "${6:-1}" >"$VALIDATION"
	test_run "$1" "$2" "$FRAMES/udp4_$3.bin" "$FRAMES/udp4_$3.bin.ctx" \
		"$REPEAT" "$4" >>"/tmp/$1"
}

# The native baseline needs the module's native_tenant parameter; without
# it the configuration is reported as not measured.
native=
native_note="the module has no native_tenant parameter"
if [ -e "$NATIVE" ]; then
	native=1
	native_note=
fi
native_calls=0
# There is no fused mode yet: its configuration is kept, unmeasured.
fused_note="not implemented: the module has no fused mode yet"

# With the direct_call parameter, the trampoline configuration: alpha's
# echo called through its struct_ops trampoline, as without the parameter.
trampoline=
direct_call=
if [ -e "$DIRECT_CALL" ]; then
	trampoline=1
	direct_call=$(cat "$DIRECT_CALL")
fi

# measure_native: a run of alpha's frame with alpha (id 1) on the module's
# C udp_echo, accounting and validation on. The frame must reach alpha as
# every other run of it does; what the handler counter counts for the
# native echo is recorded (native_calls), not assumed.
measure_native() {
	stats_before=$(chamctl -j stats alpha)
	echo 1 >"$NATIVE"
	measure native bench_chamelio 7000 3 1 1
	echo 0 >"$NATIVE"
	stats_after=$(chamctl -j stats alpha)
	packets=$(( $(printf '%s' "$stats_after" | jq .packets) -
		$(printf '%s' "$stats_before" | jq .packets) ))
	[ "$packets" -eq "$REPEAT" ] ||
		die "native: alpha received $packets packets, expected $REPEAT"
	native_calls=$(( native_calls + $(printf '%s' "$stats_after" | jq .handler_calls) -
		$(printf '%s' "$stats_before" | jq .handler_calls) ))
}

configs="standalone on${native:+ native}${trampoline:+ trampoline} off egress_off csum_none many_rules many_rules_egress_off unclassified no_protocol noop_handler"
for c in $configs; do : >"/tmp/$c"; done
alpha_before=$(counter alpha .handler_calls)
delta_before=$(counter delta .handler_calls)
# The parse errors a bad test frame or a test run off the port would show.
refused() {
	chamctl -j stats 0 |
		jq '[.parse_errors.bad_l3_csum, .parse_errors.bad_l4_len, .parse_errors.not_port] | map(. // 0) | add'
}
refused_before=$(refused)
i=0
while [ $i -lt "$ROUNDS" ]; do
	measure standalone bench_standalone 7000 3
	measure on bench_chamelio 7000 3 1 1
	[ -z "$native" ] || measure_native
	if [ -n "$trampoline" ]; then
		echo 0 >"$DIRECT_CALL"
		measure trampoline bench_chamelio 7000 3 1 1
		echo "$direct_call" >"$DIRECT_CALL"
	fi
	measure off bench_chamelio 7000 3 0 1
	measure egress_off bench_chamelio 7000 3 1 0
	measure csum_none bench_chamelio 7000_nocsum 3 1 1
	measure many_rules bench_chamelio 7003 3 1 1
	measure many_rules_egress_off bench_chamelio 7003 3 1 0
	measure unclassified bench_chamelio 9 2
	measure no_protocol bench_chamelio 7001 2
	measure noop_handler bench_chamelio 7002 1
	i=$((i + 1))
done
echo 1 >"$ACCOUNTING"
echo 1 >"$VALIDATION"

# Every echo ran its handler, and no frame was refused by the parser (a
# bad checksum, or a test run that did not come from the port).
echoes=$((4 + ${trampoline:-0}))
calls=$(( $(counter alpha .handler_calls) - alpha_before - native_calls ))
[ "$calls" -eq $((echoes * ROUNDS * REPEAT)) ] ||
	die "alpha's handler ran $calls times, expected $((echoes * ROUNDS * REPEAT))"
calls=$(( $(counter delta .handler_calls) - delta_before ))
[ "$calls" -eq $((2 * ROUNDS * REPEAT)) ] ||
	die "delta's handler ran $calls times, expected $((2 * ROUNDS * REPEAT))"
errors=$(( $(refused) - refused_before ))
[ "$errors" -eq 0 ] || die "the parser refused $errors test frames: $(chamctl -j stats 0 | jq -c .parse_errors)"

# --- Steering: the cost against the number of rules -----------------------
#
# The table holds N rules: N - 1 of STEER_TENANTS other tenants, then
# alpha's, added last, so that a scan in table order meets it last. The
# other rules are what a provider hands out, in turn: a /32 with one UDP
# port, a port on 10.77.0.1 (the address of both timed frames, which a
# provider shares among tenants by port), a /32 with TCP port 443, a /28,
# a /24 with a UDP port range, a /32 with UDP port 53, a /20 of every
# protocol and a /16 of UDP, the /32s to /20s each in a /20 block of
# 20.0.0.0/8 of its own (with STEER_SHARED_BLOCK=1, the /28s in 10.77.1.0
# to 10.77.32.255 instead) and the /16s in 30.0.0.0/7, so that no two
# overlap and none matches a timed frame. The frame to alpha (port 7000)
# and one that no rule matches (port 9) are timed at each size.

# filler_rules FIRST LAST: "rule add" batch lines for the other rules
# FIRST to LAST (none when LAST < FIRST).
filler_rules() {
	awk -v first="$1" -v last="$2" -v tenants="$STEER_TENANTS" \
		-v shared="$STEER_SHARED_BLOCK" '
	function quad(a) {
		return sprintf("%d.%d.%d.%d", int(a / 16777216), int(a / 65536) % 256,
			       int(a / 256) % 256, a % 256)
	}
	BEGIN {
		for (i = first; i <= last; i++) {
			block = quad(20 * 16777216 + i * 4096)
			kind = i % 8
			if (kind == 0)
				dst = block "/32 proto udp dport " (5000 + i % 1000)
			else if (kind == 1)
				dst = "10.77.0.1/32 proto udp dport " (10000 + i)
			else if (kind == 2)
				dst = block "/32 proto tcp dport 443"
			else if (kind == 3 && shared)
				dst = quad(10 * 16777216 + 77 * 65536 + 256 + int(i / 8) * 16) "/28 proto udp"
			else if (kind == 3)
				dst = block "/28 proto udp"
			else if (kind == 4)
				dst = block "/24 proto udp dport 8000-8999"
			else if (kind == 5)
				dst = block "/32 proto udp dport 53"
			else if (kind == 6)
				dst = block "/20"
			else
				dst = quad(30 * 16777216 + int(i / 8) * 65536) "/16 proto udp"
			printf "rule add filler%02d dst %s\n", i % tenants + 1, dst
		}
	}'
}

# Only alpha's rule stays; the other tenants go in the tenant series.
chamctl -j rule show | jq -r '.[] | select(.tenant != "alpha") | "rule del \(.id)"' |
	chamctl -b - >/dev/null
i=1
while [ $i -le "$STEER_TENANTS" ]; do
	printf 'tenant add filler%02d id %d\n' $i $((100 + i))
	i=$((i + 1))
done >/tmp/filler_tenants.batch
chamctl -b /tmp/filler_tenants.batch >/dev/null

# steer_table N: N rules, alpha's last. The other rules only grow from
# one size to the next: alpha's rule is taken out and put back behind
# the ones added.
fillers=0
steer_table() {
	alpha_rule=$(chamctl -j rule show | jq '.[] | select(.tenant == "alpha") | .id')
	{
		echo "rule del $alpha_rule"
		filler_rules "$fillers" $(($1 - 2))
		echo "rule add alpha dst 10.77.0.1/32 proto udp dport 7000"
	} >/tmp/steer.batch
	chamctl -b /tmp/steer.batch >/dev/null
	fillers=$(($1 - 1))
	table=$(chamctl -j rule show | jq -c '[length, (max_by(.id) | .tenant)]')
	[ "$table" = "[$1,\"alpha\"]" ] ||
		die "the table should hold $1 rules, alpha's last, not $table"
}

alpha_before=$(counter alpha .handler_calls)
unclassified_before=$(counter 0 .packets)
refused_before=$(refused)
steps=0
for n in $STEER_RULES; do
	steer_table "$n"
	: >"/tmp/steer_${n}_matched"
	: >"/tmp/steer_${n}_unmatched"
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		measure "steer_${n}_matched" bench_chamelio 7000 3
		measure "steer_${n}_unmatched" bench_chamelio 9 2
		i=$((i + 1))
	done
	steps=$((steps + 1))
done
# Every frame to alpha ran its handler, every other one was nobody's.
want=$((steps * ROUNDS * REPEAT))
calls=$(( $(counter alpha .handler_calls) - alpha_before ))
[ "$calls" -eq "$want" ] ||
	die "steering: alpha's handler ran $calls times, expected $want"
packets=$(( $(counter 0 .packets) - unclassified_before ))
[ "$packets" -eq "$want" ] ||
	die "steering: $packets unclassified packets, expected $want"
errors=$(( $(refused) - refused_before ))
[ "$errors" -eq 0 ] || die "steering: the parser refused $errors test frames"
steer_tenants=$STEER_TENANTS
shared_note=
[ "$STEER_SHARED_BLOCK" = 0 ] || shared_note=", the /28s in the frames' /16"

# --- Tenants: the cost against the number of tenants -----------------------
#
# N tenants (alpha is the first) each run udp_echo behind a rule of their
# own; nothing else is left in the tables. The rules are placed two ways
# in turn, as a provider hands out destinations: by port, tenant k on
# 10.77.0.1, UDP port 7000 + k - 1 (one address shared by port); by
# address, tenant k on UDP port 7000 of an address of its own, 10.77.0.1
# for alpha and 10.78.x.y (k = 256x + y) for the others. Each round sends
# TENANT_REPEAT frames to every tenant in turn; a round's cost is the
# average over the tenants, and every tenant's handler counter must show
# exactly its frames.
chamctl -j tenant show | jq -r '.[] | select(.name != "alpha") | "tenant del \(.name)"' |
	chamctl -b - >/dev/null

# tenant_name K, tenant_dst PLACEMENT K (a rule's "dst ..."), tenant_frame
# PLACEMENT K: tenant K's name, its rule's destination and its frame.
tenant_name() {
	if [ "$1" -eq 1 ]; then echo alpha; else printf 'echo%03d\n' "$1"; fi
}
tenant_addr() {
	if [ "$1" -eq 1 ]; then echo 10.77.0.1; else echo "10.78.$(($1 / 256)).$(($1 % 256))"; fi
}
tenant_dst() {
	case $1 in
	port) echo "10.77.0.1/32 proto udp dport $((6999 + $2))" ;;
	address) echo "$(tenant_addr "$2")/32 proto udp dport 7000" ;;
	esac
}
tenant_frame() {
	case $1 in
	port) echo "$FRAMES/udp4_$((6999 + $2)).bin" ;;
	address)
		if [ "$2" -eq 1 ]; then echo "$FRAMES/udp4_7000.bin"
		else echo "$FRAMES/udp4_$(tenant_addr "$2")_7000.bin"; fi ;;
	esac
}

# place_rules PLACEMENT N: the rules of tenants 1 to N, and only those.
place_rules() {
	chamctl -j rule show | jq -r '.[] | "rule del \(.id)"' >/tmp/place.batch
	k=1
	while [ $k -le "$2" ]; do
		echo "rule add $(tenant_name $k) dst $(tenant_dst "$1" $k)"
		k=$((k + 1))
	done >>/tmp/place.batch
	chamctl -b /tmp/place.batch >/dev/null
	have=$(chamctl -j rule show | jq length)
	[ "$have" -eq "$2" ] || die "tenants: $have rules, expected $2"
}

# tenant_series PLACEMENT N: TENANT_ROUNDS rounds over the N tenants, into
# /tmp/tenants_PLACEMENT_N ("ROUND NS" lines) and the per-round averages
# into /tmp/tenants_PLACEMENT_N_mean.
tenant_series() {
	series=/tmp/tenants_$1_$2
	chamctl -j stats >/tmp/tenants_before.json
	refused_before=$(refused)
	: >"$series"
	r=0
	while [ $r -lt "$TENANT_ROUNDS" ]; do
		k=1
		while [ $k -le "$2" ]; do
			# An assignment, so that a failed run ends the script (set -e).
			ns=$(test_run "tenant $k of $2 by $1" bench_chamelio \
				"$(tenant_frame "$1" $k)" "$FRAMES/udp4_7000.bin.ctx" \
				"$TENANT_REPEAT" 3)
			echo "$r $ns" >>"$series"
			k=$((k + 1))
		done
		r=$((r + 1))
	done
	chamctl -j stats >/tmp/tenants_after.json
	wrong=$(jq -n -c --slurpfile before /tmp/tenants_before.json \
		--slurpfile after /tmp/tenants_after.json \
		--argjson want $((TENANT_ROUNDS * TENANT_REPEAT)) --argjson n "$2" '
		($before[0] | map({key: .name, value: .handler_calls}) | from_entries) as $was |
		[$after[0][] | select(.id != 0) |
		 {name, calls: (.handler_calls - ($was[.name] // 0))} |
		 select(.calls != $want)] +
		(if ($after[0] | map(select(.id != 0)) | length) == $n then []
		 else ["not \($n) tenants"] end)')
	[ "$wrong" = "[]" ] ||
		die "tenants by $1: handlers did not run $((TENANT_ROUNDS * TENANT_REPEAT)) times each: $wrong"
	errors=$(( $(refused) - refused_before ))
	[ "$errors" -eq 0 ] || die "tenants by $1: the parser refused $errors test frames"
	awk -v n="$2" '{ sum[$1] += $2 } END { for (r in sum) printf "%.0f\n", sum[r] / n }' \
		"$series" >"${series}_mean"
}

tenants=1
for n in $TENANT_STEPS; do
	while [ $tenants -lt "$n" ]; do
		tenants=$((tenants + 1))
		echo "tenant add $(tenant_name $tenants) id $((1000 + tenants))"
		echo "proto load $BPF/udp_echo.bpf.o tenant $(tenant_name $tenants)"
	done >/tmp/tenants.batch
	chamctl -b /tmp/tenants.batch >/dev/null
	for placement in port address; do
		place_rules $placement "$n"
		tenant_series $placement "$n"
	done
done

# The minimum is the run the emulator disturbed least; the median shows
# how far the runs spread. Under icount every run of a configuration gives
# (nearly) the same count, and the median is the instructions per packet.
minimum() { sort -n "/tmp/$1" | head -n1; }
median() { sort -n "/tmp/$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
base_min=$(minimum standalone)
base_med=$(median standalone)

echo
echo "Per-packet cost with BPF_PROG_TEST_RUN: $ROUNDS interleaved runs x $REPEAT packets, mode $MODE."
if [ "$MODE" = icount ]; then
	echo "Guest nanoseconds are executed instructions (QEMU -icount shift=0): instructions, not cycles."
else
	echo "Emulated nanoseconds mean little; compare the ratios to the standalone program."
fi
printf '%-48s %7s %7s %7s %7s\n' configuration min median "x min" "x med"
row() { # row LABEL NAME
	printf '%-48s %7s %7s %7s %7s\n' "$1" "$(minimum "$2")" "$(median "$2")" \
		"$(ratio "$(minimum "$2")" "$base_min")" "$(ratio "$(median "$2")" "$base_med")"
}
# pair LABEL A B: A against B, as a ratio and a difference of medians.
pair() {
	printf '%-48s %7s %7s %7s %7s\n' "$1" "" "+$(( $(median "$2") - $(median "$3") ))" \
		"$(ratio "$(minimum "$2")" "$(minimum "$3")")" "$(ratio "$(median "$2")" "$(median "$3")")"
}
row "standalone XDP udp_echo (baseline)" standalone
row "chamelio udp_echo (accounting, validation)" on
if [ -n "$native" ]; then
	row "native C udp_echo in the module (same)" native
else
	printf '%-48s %s\n' "native C udp_echo in the module" "not measured: $native_note"
fi
printf '%-48s %s\n' "fused udp_echo (accounting, validation)" "not measured: $fused_note"
[ -z "$trampoline" ] || row "chamelio udp_echo through the trampoline" trampoline
row "chamelio udp_echo, cycle accounting off" off
row "chamelio udp_echo, egress validation off" egress_off
row "chamelio udp_echo, no UDP checksum to verify" csum_none
row "udp_echo behind $before rules" many_rules
row "udp_echo behind $before rules, validation off" many_rules_egress_off
row "chamelio, no rule matches (parse, steer)" unclassified
row "chamelio, tenant without protocol" no_protocol
row "chamelio, handler that returns at once" noop_handler
pair "accounting on / off" on off
[ -z "$trampoline" ] || pair "trampoline / direct call" trampoline on
pair "egress validation on / off" on egress_off
pair "egress validation on / off, $before rules before" many_rules many_rules_egress_off
pair "UDP checksum verified / none" on csum_none
echo "($nrules rules in the table; + is the difference of the medians.)"
if [ -n "$native" ]; then
	tax_struct_ops=$(awk -v a="$(median on)" -v b="$(median native)" 'BEGIN {printf "%.3f", a / b - 1}')
	echo "programmability tax, struct_ops path (on / native - 1): $tax_struct_ops"
else
	tax_struct_ops=null
	echo "programmability tax, struct_ops path: not measured ($native_note)"
fi
echo "programmability tax, fused path: not measured ($fused_note)"
echo

# Medians of the scaling series, and each size against the first.
first_rules=${STEER_RULES%% *}
last_rules=${STEER_RULES##* }
echo "Steering: alpha's rule last behind N - 1 rules of $steer_tenants other tenants" \
	"(exact /32 ports, /28, /24 port range, /20, /16)$shared_note, accounting and validation on."
printf '%7s %9s %9s %9s %9s\n' rules matched unmatched "x $first_rules" "x $first_rules"
for n in $STEER_RULES; do
	printf '%7s %9s %9s %9s %9s\n' "$n" "$(median "steer_${n}_matched")" \
		"$(median "steer_${n}_unmatched")" \
		"$(ratio "$(median "steer_${n}_matched")" "$(median "steer_${first_rules}_matched")")" \
		"$(ratio "$(median "steer_${n}_unmatched")" "$(median "steer_${first_rules}_unmatched")")"
done
steer_matched_ratio=$(ratio "$(median "steer_${last_rules}_matched")" "$(median "steer_${first_rules}_matched")")
steer_unmatched_ratio=$(ratio "$(median "steer_${last_rules}_unmatched")" "$(median "steer_${first_rules}_unmatched")")
echo "$last_rules rules / $first_rules: matched $steer_matched_ratio, unmatched $steer_unmatched_ratio (target: at most 1.100)"
echo

first_tenants=${TENANT_STEPS%% *}
last_tenants=${TENANT_STEPS##* }
echo "Tenants: each runs udp_echo behind a rule of its own, by port (10.77.0.1, a port each) or by address"
echo "(an address each, port 7000); $TENANT_REPEAT packets to every tenant per round, the cost averaged over"
echo "the tenants (median over $TENANT_ROUNDS rounds); accounting and validation on."
printf '%7s %9s %9s %11s %9s\n' tenants "by port" "x $first_tenants" "by address" "x $first_tenants"
for n in $TENANT_STEPS; do
	printf '%7s %9s %9s %11s %9s\n' "$n" "$(median "tenants_port_${n}_mean")" \
		"$(ratio "$(median "tenants_port_${n}_mean")" "$(median "tenants_port_${first_tenants}_mean")")" \
		"$(median "tenants_address_${n}_mean")" \
		"$(ratio "$(median "tenants_address_${n}_mean")" "$(median "tenants_address_${first_tenants}_mean")")"
done
tenants_ratio=$(ratio "$(median "tenants_port_${last_tenants}_mean")" "$(median "tenants_port_${first_tenants}_mean")")
tenants_address_ratio=$(ratio "$(median "tenants_address_${last_tenants}_mean")" \
	"$(median "tenants_address_${first_tenants}_mean")")
echo "$last_tenants tenants / $first_tenants: by port $tenants_ratio, by address $tenants_address_ratio (target: at most 1.100)"
echo

# pair_json A B: A against B: the ratios of the minimums and the medians,
# and under icount the instructions per packet A adds to B.
pair_json() {
	insns=null
	[ "$MODE" = icount ] && insns=$(( $(median "$1") - $(median "$2") ))
	printf '{"min":%s,"median":%s,"insns":%s}' \
		"$(ratio "$(minimum "$1")" "$(minimum "$2")")" \
		"$(ratio "$(median "$1")" "$(median "$2")")" "$insns"
}
echo "BENCH-JSON-BEGIN"
printf '{"benchmark":"fastpath","mode":"%s","repeat":%s,"rounds":%s,"rules":%s,"filler_rules":%s,"baseline":"standalone","configs":{' \
	"$MODE" "$REPEAT" "$ROUNDS" "$nrules" "$FILLER_RULES"
sep=
for c in $configs; do
	# Instructions per packet exist only when time counts instructions.
	insns=null
	[ "$MODE" = icount ] && insns=$(median "$c")
	printf '%s"%s":{"min_ns":%s,"median_ns":%s,"insns":%s,"ratio_min":%s,"ratio_median":%s,"samples":[%s]}' \
		"$sep" "$c" "$(minimum "$c")" "$(median "$c")" "$insns" \
		"$(ratio "$(minimum "$c")" "$base_min")" "$(ratio "$(median "$c")" "$base_med")" \
		"$(paste -sd, "/tmp/$c")"
	sep=,
done
[ -n "$native" ] ||
	printf ',"native":{"min_ns":null,"median_ns":null,"insns":null,"note":"%s"}' "$native_note"
printf ',"fused":{"min_ns":null,"median_ns":null,"insns":null,"note":"%s"}' "$fused_note"
printf '},"fused_note":"%s","tax":{"struct_ops":%s,"fused":null}' "$fused_note" "$tax_struct_ops"
# What alpha's handler counter counted for the native echo's packets.
[ -z "$native" ] || printf ',"native_handler_calls":%s' "$native_calls"
printf ',"accounting_on_vs_off":%s' "$(pair_json on off)"
[ -z "$trampoline" ] || printf ',"trampoline_vs_direct_call":%s' "$(pair_json trampoline on)"
printf ',"egress_validation_on_vs_off":%s' "$(pair_json on egress_off)"
printf ',"egress_validation_on_vs_off_many_rules":%s' "$(pair_json many_rules many_rules_egress_off)"
printf ',"csum_verified_vs_none":%s' "$(pair_json on csum_none)"
# series_insns NAME: the median as instructions, null unless icount.
series_insns() {
	if [ "$MODE" = icount ]; then median "$1"; else echo null; fi
}
printf ',"steering_placement":"alpha'"'"'s rule last, behind N-1 rules of %s other tenants (exact /32 ports, /28, /24 port range, /20, /16)%s"' \
	"$steer_tenants" "${shared_note:-}"
printf ',"steering":['
sep=
for n in $STEER_RULES; do
	printf '%s{"rules":%s,"matched_insns":%s,"unmatched_insns":%s,"matched_median_ns":%s,"unmatched_median_ns":%s,"matched_samples":[%s],"unmatched_samples":[%s]}' \
		"$sep" "$n" "$(series_insns "steer_${n}_matched")" "$(series_insns "steer_${n}_unmatched")" \
		"$(median "steer_${n}_matched")" "$(median "steer_${n}_unmatched")" \
		"$(paste -sd, "/tmp/steer_${n}_matched")" "$(paste -sd, "/tmp/steer_${n}_unmatched")"
	sep=,
done
printf '],"steering_last_vs_first":{"rules":[%s,%s],"matched":%s,"unmatched":%s}' \
	"$first_rules" "$last_rules" "$steer_matched_ratio" "$steer_unmatched_ratio"
printf ',"tenant_repeat":%s,"tenant_rounds":%s' "$TENANT_REPEAT" "$TENANT_ROUNDS"
printf ',"tenants_placement":"insns: by port, tenant k on 10.77.0.1 UDP port 6999+k; by_address: tenant k on its own address, UDP port 7000"'
printf ',"tenants":['
sep=
for n in $TENANT_STEPS; do
	printf '%s{"tenants":%s,"insns":%s,"median_ns":%s,"samples":[%s],"by_address":{"insns":%s,"median_ns":%s,"samples":[%s]}}' \
		"$sep" "$n" "$(series_insns "tenants_port_${n}_mean")" "$(median "tenants_port_${n}_mean")" \
		"$(paste -sd, "/tmp/tenants_port_${n}_mean")" \
		"$(series_insns "tenants_address_${n}_mean")" "$(median "tenants_address_${n}_mean")" \
		"$(paste -sd, "/tmp/tenants_address_${n}_mean")"
	sep=,
done
printf '],"tenants_last_vs_first":{"tenants":[%s,%s],"ratio":%s,"ratio_by_address":%s}}\n' \
	"$first_tenants" "$last_tenants" "$tenants_ratio" "$tenants_address_ratio"
echo "BENCH-JSON-END"
