#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One link per tenant: a second registration for a tenant that runs a
# protocol is refused (EBUSY) and changes nothing; replacing is an update
# of the tenant's link (chamctl proto replace), under traffic, with no
# answer lost; bpftool registering over a bound tenant (the pin collision
# that took tenants offline) fails and the tenant keeps serving; a
# registration whose link dies leaves the previous protocol bound;
# unregistering under traffic returns the tenant to its default verdict.
# Also the verdicts a handler can get wrong.
. ./lib.sh

PROGS=$CHAM/selftests/progs
proto_of() { chamctl -j tenant show alpha | jq -r '.proto.name // "none"'; }
generation() { chamctl -j tenant show alpha | jq .proto.generation; }
pinned_link() { chamctl -j proto show | jq '.[] | select(.tenant == "alpha") | .link_id'; }

load_module
reset_state
setup_net
mkdir -p "$PIN"
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 default drop >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 7000 >/dev/null
check "udp_echo loads for alpha (free)" chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha
link=$(pinned_link)
gen=$(generation)

# ---- a second registration: EBUSY, nothing changes ---------------------------

check_errno "loading over alpha's protocol is refused with the way out" \
	"tenant alpha already runs protocol udp_echo (link $link): use chamctl proto replace alpha $BPF/udp_upper.bpf.o" \
	chamctl proto load "$BPF/udp_upper.bpf.o" tenant alpha
check "... EBUSY" sh -c "chamctl proto load '$BPF/udp_upper.bpf.o' tenant alpha 2>&1 |
	grep -q 'Device or resource busy'"
check_eq "... alpha still runs udp_echo" udp_echo "$(proto_of)"
check_eq "... the same registration (generation $gen)" "$gen" "$(generation)"
check_eq "... the same pinned link" "$link" "$(pinned_link)"
check_eq "... and it answers" "still echo" "$(udp_ask $HOST4 7000 'still echo')"
check "the kernel log names the tenant and both protocols" \
	sh -c "dmesg | grep -q \"tenant alpha: protocol 'udp_upper' refused: 'udp_echo' is bound\""

# ---- proto replace under traffic: not one answer lost ------------------------

# A client that asks one question at a time and notes each answer (udp_echo
# answers "ping", udp_upper "PING") or its absence.
rm -f /tmp/stop_traffic /tmp/answers
(
	while [ ! -e /tmp/stop_traffic ]; do
		case "$(udp_ask $HOST4 7000 ping)" in
		ping | PING) echo answered ;;
		*) echo lost ;;
		esac
	done >/tmp/answers
) &
asker=$!
trap 'touch /tmp/stop_traffic' EXIT
eventually "the client gets answers" grep -q answered /tmp/answers
i=0
while [ $i -lt 6 ]; do
	if [ $((i % 2)) -eq 0 ]; then obj=udp_upper; else obj=udp_echo; fi
	check "proto replace with $obj under traffic (round $i)" \
		chamctl proto replace alpha "$BPF/$obj.bpf.o"
	sleep 0.3
	i=$((i + 1))
done
# A few more answers after the last swap.
n=$(grep -c answered /tmp/answers)
eventually "answers after the last replacement" \
	sh -c "[ \$(grep -c answered /tmp/answers) -ge $((n + 3)) ]"
touch /tmp/stop_traffic
wait $asker
trap - EXIT
check_eq "no request went unanswered across 6 replacements" 0 "$(grep -c lost /tmp/answers)"
diag "$(grep -c answered /tmp/answers) answers during the replacements"
check_eq "each replacement bumped the generation" $((gen + 6)) "$(generation)"
check_eq "the last replacement is the protocol in place" udp_echo "$(proto_of)"
check_eq "the link is the same object throughout (same id, same pin)" "$link" "$(pinned_link)"
check_eq "answers come from udp_echo" "lower case" "$(udp_ask $HOST4 7000 'lower case')"
out=$(chamctl -j proto replace alpha "$BPF/udp_upper.bpf.o")
check_eq "proto replace says what it replaced (JSON)" "udp_upper udp_echo $PIN/alpha" \
	"$(printf '%s' "$out" | jq -r '"\(.proto) \(.replaced) \(.pin)"')"
check "proto load ... replace is the same" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha replace
check_eq "... udp_echo in place" udp_echo "$(proto_of)"
rm -f /tmp/answers /tmp/stop_traffic

# ---- unload, then load at once -------------------------------------------------

check "proto unload" chamctl proto unload alpha
check_eq "unload detaches the link: alpha is free at once" none "$(proto_of)"
check "... and a load right after registers" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha
check "proto replace on a free tenant registers" \
	sh -c "chamctl proto unload alpha && chamctl proto replace alpha '$BPF/udp_upper.bpf.o'"
check_eq "... udp_upper in place, pinned" udp_upper "$(proto_of)"
check "... at $PIN/alpha" test -e "$PIN/alpha"
chamctl proto unload alpha

# ---- libbpf's own update path: register, then bpf_link_update() ---------------

check "register then update one link (proto_update)" proto_update \
	"$BPF/udp_echo.bpf.o" "$PROGS/fixed_punt.bpf.o" "$PIN/updated"
check_eq "the link update put fixed_punt in place" fixed_punt "$(proto_of)"
check "removing the updated link" rm "$PIN/updated"
eventually "no protocol once the updated link is gone" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'
# A link update cannot carry a link over to another tenant: stack_spy
# names beta, the link is alpha's.
chamctl tenant add beta id 2 default drop >/dev/null
check_errno "updating alpha's link with beta's protocol is refused (EINVAL)" \
	"bpf_link_update: Invalid argument" \
	proto_update "$BPF/udp_echo.bpf.o" "$PROGS/stack_spy.bpf.o" "$PIN/moved"
check "... nothing was pinned" test ! -e "$PIN/moved"
check_eq "... beta has no protocol" null "$(chamctl -j tenant show beta | jq -r .proto)"
eventually "... and alpha none once proto_update's link is gone" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'
chamctl tenant del beta >/dev/null

# ---- bpftool over a bound tenant: the pin collision of issue 9 -----------------

# Before: a second `bpftool struct_ops register` of a new version replaced
# the protocol, then failed to pin ("File exists") and its link died with
# bpftool, taking the tenant offline. Now the kernel refuses the link.
check "bpftool registers udp_echo for alpha" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
bt_link=$(bpftool -j link show pinned "$PIN/udp_echo" | jq .id)
check_fails "a second bpftool register of the same object is refused" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
check_fails "bpftool registering another protocol for alpha is refused" \
	bpftool struct_ops register "$PROGS/fixed_punt.bpf.o" "$PIN"
check "... without pinning anything" test ! -e "$PIN/fixed_punt"
check_eq "alpha still runs udp_echo (tenant show)" udp_echo "$(proto_of)"
check_eq "... and answers" "online" "$(udp_ask $HOST4 7000 online)"
check_eq "... on bpftool's first link" "$bt_link" \
	"$(bpftool -j link show pinned "$PIN/udp_echo" | jq .id)"

# A registration whose link dies at once (no pin: bpftool exits) leaves the
# previous protocol bound: it never took over.
check_fails "a registration without a pin, for a bound tenant, is refused" \
	bpftool struct_ops register "$PROGS/fixed_punt.bpf.o"
sleep 0.5
check_eq "after the new link died, alpha keeps udp_echo" udp_echo "$(proto_of)"
check_eq "... and answers" "kept" "$(udp_ask $HOST4 7000 kept)"

# chamctl finds bpftool's link by id (it pinned none) and updates it.
out=$(chamctl proto replace alpha "$BPF/udp_upper.bpf.o")
check_eq "proto replace updates bpftool's link" \
	"protocol udp_upper replaces udp_echo for tenant alpha (link $bt_link)" "$out"
check_eq "alpha runs udp_upper" udp_upper "$(proto_of)"
check_eq "... on the same link, still pinned by bpftool" "$bt_link" \
	"$(bpftool -j link show pinned "$PIN/udp_echo" | jq .id)"
check_eq "... and answers in upper case" "UPPER" "$(udp_ask $HOST4 7000 upper)"

# ---- unregistering under traffic ------------------------------------------------

ip netns exec cl socat -u -b 64 /dev/zero "UDP:$HOST4:7000" 2>/dev/null &
flood=$!
trap 'kill $flood 2>/dev/null' EXIT
eventually "the flood reaches the tenant" \
	sh -c '[ "$(chamctl -j stats alpha | jq .handler_calls)" -gt 10 ]'
check "unregister under traffic (remove bpftool's pin)" rm "$PIN/udp_echo"
eventually "no protocol after unregistering" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'
default_before=$(counter alpha .drops.default)
eventually "under traffic, packets now take the default verdict (drop)" \
	sh -c "[ \$(chamctl -j stats alpha | jq .drops.default) -gt $default_before ]"
kill $flood 2>/dev/null
wait $flood 2>/dev/null
trap - EXIT
check "alpha handled traffic" test "$(counter alpha .handler_calls)" -gt 0
check_accounting alpha
check_accounting 0

# ---- a handler's mistakes are drops with a reason, never undefined behaviour ----

for case in punt:drop:no_agent bad:drop:bad_verdict noredirect:drop:bad_redirect; do
	name=${case%%:*}
	rest=${case#*:}
	verdict=${rest%%:*}
	reason=${rest#*:}
	chamctl proto replace alpha "$PROGS/fixed_$name.bpf.o" >/dev/null
	before=$(chamctl -j stats alpha)
	check_eq "fixed_$name: no answer" "" "$(udp_ask $HOST4 7000 x)"
	check_eq "fixed_$name: counted as $verdict" \
		$(( $(printf '%s' "$before" | jq .verdicts.$verdict) + 1 )) \
		"$(counter alpha .verdicts.$verdict)"
	if [ -n "$reason" ]; then
		check_eq "fixed_$name: drop reason $reason" \
			$(( $(printf '%s' "$before" | jq .drops.$reason) + 1 )) \
			"$(counter alpha .drops.$reason)"
	fi
done
check_accounting alpha
reset_state
finish
