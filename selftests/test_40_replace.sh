#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Replacing and unregistering a tenant's protocol while traffic flows: no
# crash, every packet accounted, the default verdict afterwards. Also the
# verdicts a handler can get wrong.
. ./lib.sh

load_module
reset_state
setup_net
mkdir -p "$PIN"
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 default drop >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 7000 >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null

# Traffic for the whole test: a client that keeps asking, and a flood of
# datagrams that nobody waits for.
(
	while [ ! -e /tmp/stop_traffic ]; do
		udp_ask $HOST4 7000 ping >/dev/null
	done
) &
asker=$!
ip netns exec cl socat -u -b 64 /dev/zero "UDP:$HOST4:7000" 2>/dev/null &
flood=$!
# However this test ends, the traffic must not run into the next one.
trap 'touch /tmp/stop_traffic; kill $flood 2>/dev/null' EXIT
eventually "traffic reaches the tenant" \
	sh -c '[ "$(chamctl -j stats alpha | jq .handler_calls)" -gt 10 ]'

gen=$(chamctl -j tenant show alpha | jq .proto.generation)
i=0
while [ $i -lt 6 ]; do
	if [ $((i % 2)) -eq 0 ]; then obj=udp_upper; else obj=udp_echo; fi
	check "replace with $obj under traffic (chamctl, round $i)" \
		chamctl proto load "$BPF/$obj.bpf.o" tenant alpha
	sleep 0.3
	i=$((i + 1))
done
check_eq "each replacement bumped the generation" $((gen + 6)) \
	"$(chamctl -j tenant show alpha | jq .proto.generation)"
check_eq "the last replacement is the protocol in place" udp_echo \
	"$(chamctl -j tenant show alpha | jq -r .proto.name)"
check_eq "answers come from udp_echo" "lower case" "$(udp_ask $HOST4 7000 'lower case')"

# The same replacement through bpf_link_update() on one link (the
# struct_ops .update path), as libbpf's own loaders do it, under traffic.
gen=$(chamctl -j tenant show alpha | jq .proto.generation)
check "register then update one link (proto_update)" proto_update \
	"$BPF/udp_echo.bpf.o" "$CHAM/selftests/progs/fixed_punt.bpf.o" "$PIN/updated"
check_eq "the link update put fixed_punt in place" fixed_punt \
	"$(chamctl -j tenant show alpha | jq -r .proto.name)"
check_eq "registration and update each bumped the generation" $((gen + 2)) \
	"$(chamctl -j tenant show alpha | jq .proto.generation)"
check "removing the updated link" rm "$PIN/updated"
eventually "no protocol once the updated link is gone" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'

# Another registration (bpftool, udp_echo names tenant alpha) replaces too.
chamctl proto load "$BPF/udp_upper.bpf.o" tenant alpha >/dev/null
check "bpftool registration displaces chamctl's" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$PIN"
displaced=$(chamctl -j proto show | jq '.[] | select(.tenant == "alpha") | .link_id')
check "removing the displaced link (chamctl's)" chamctl proto unload alpha
# Link release is asynchronous: judge only once the link is gone.
eventually "the displaced link is released" sh -c "! bpftool link show id $displaced"
check_eq "the new protocol stays after the displaced link went" udp_echo \
	"$(chamctl -j tenant show alpha | jq -r .proto.name)"
check "unregister under traffic" rm "$PIN/udp_echo"
eventually "no protocol after unregistering" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'
default_before=$(counter alpha .drops.default)
eventually "under traffic, packets now take the default verdict (drop)" \
	sh -c "[ \$(chamctl -j stats alpha | jq .drops.default) -gt $default_before ]"

touch /tmp/stop_traffic
kill $flood 2>/dev/null
wait $asker 2>/dev/null
wait $flood 2>/dev/null
rm -f /tmp/stop_traffic
trap - EXIT
check "alpha handled traffic" test "$(counter alpha .handler_calls)" -gt 0
check_accounting alpha
check_accounting 0

# A handler's mistakes are drops with a reason, never undefined behaviour.
for case in punt:punt:"" bad:drop:bad_verdict noredirect:drop:bad_redirect; do
	name=${case%%:*}
	rest=${case#*:}
	verdict=${rest%%:*}
	reason=${rest#*:}
	chamctl proto load "$CHAM/selftests/progs/fixed_$name.bpf.o" tenant alpha >/dev/null
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
