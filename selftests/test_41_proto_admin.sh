#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Protocols from the kernel's point of view: whoever registered a protocol
# (bpftool, chamctl, libbpf directly), `chamctl proto show` lists it for its
# tenant with the kernel's link id, programs, generation and the link's pin,
# and `chamctl proto unload` detaches that link and removes its pin. A link
# no tenant binds (its tenant deleted) is not shown as a tenant's. `chamctl
# status` names what holds the module, and following its advice lets rmmod
# succeed.
. ./lib.sh

BT_PIN=/sys/fs/bpf/bt		# where bpftool pins (its own directory)
LIB_PIN=/sys/fs/bpf/lib_beta	# where the libbpf loader pins
OWNER=1000			# alpha's owner, who unloads through the daemon
SOCK=/tmp/proto41.sock

# bpftool's id of the struct_ops link pinned at PIN.
pinned_id() { bpftool -j link show pinned "$1" | jq .id; }
# A field of TENANT's entry in chamctl -j proto show.
shown() { chamctl -j proto show | jq -r --arg t "$1" ".[] | select(.tenant == \$t) | $2"; }
# The ids of every struct_ops link bpftool sees, sorted, on one line.
bpftool_links() {
	bpftool -j link show | jq -c '[.[] | select(.type == "struct_ops") | .id] | sort'
}
link_gone() { ! bpftool -j link show | jq -e --argjson id "$1" '.[] | select(.id == $id)' >/dev/null; }

load_module
reset_state
setup_net
rm -rf "$BT_PIN" "$LIB_PIN" /sys/fs/bpf/burner_map
mkdir -p "$PIN" "$BT_PIN"
chamctl port attach cham0 >/dev/null
# udp_echo names alpha, udp_upper beta; gamma's comes from chamctl.
chamctl tenant add alpha id 1 owner $OWNER default drop >/dev/null
chamctl tenant add beta id 2 default drop >/dev/null
chamctl tenant add gamma id 3 default drop >/dev/null
chamctl tenant add delta id 4 >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 7000 >/dev/null
chamctl rule add beta dst $HOST4 proto udp dport 7001 >/dev/null
chamctl rule add gamma dst $HOST4 proto udp dport 7002 >/dev/null

# ---- three registrations, three ways ------------------------------------------

check "bpftool registers udp_echo for alpha" \
	bpftool struct_ops register "$BPF/udp_echo.bpf.o" "$BT_PIN"
check "libbpf registers udp_upper for beta, then updates its link (proto_update)" \
	proto_update "$BPF/udp_upper.bpf.o" "$BPF/udp_upper.bpf.o" "$LIB_PIN"
check "chamctl loads udp_echo for gamma" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant gamma
check_eq "alpha answers (bpftool's)" "alpha" "$(udp_ask $HOST4 7000 alpha)"
check_eq "beta answers (libbpf's)" "BETA" "$(udp_ask $HOST4 7001 beta)"
check_eq "gamma answers (chamctl's)" "gamma" "$(udp_ask $HOST4 7002 gamma)"

alpha_link=$(pinned_id "$BT_PIN/udp_echo")
beta_link=$(pinned_id "$LIB_PIN")
gamma_link=$(pinned_id "$PIN/gamma")
diag "links: alpha $alpha_link, beta $beta_link, gamma $gamma_link"

# ---- proto show -------------------------------------------------------------------

show=$(chamctl -j proto show)
diag "$show"
chamctl proto show | sed 's/^/# proto show: /'
check_eq "proto show lists the tenants with a protocol, and only them" \
	"alpha beta gamma" "$(printf '%s' "$show" | jq -r '[.[].tenant] | join(" ")')"
check_eq "... the same links as bpftool, and no other" "$(bpftool_links)" \
	"$(printf '%s' "$show" | jq -c '[.[].link_id] | sort')"
for t in alpha:1:udp_echo:1:$alpha_link:$BT_PIN/udp_echo:udp_echo_rx \
	beta:2:udp_upper:2:$beta_link:$LIB_PIN:udp_upper_rx \
	gamma:3:udp_echo:1:$gamma_link:$PIN/gamma:udp_echo_rx; do
	IFS=: read -r name id proto gen link pin prog <<EOF
$t
EOF
	check_eq "$name: id, protocol, state, generation, link and pin" \
		"$id $proto bound $gen $link $pin" \
		"$(shown "$name" '"\(.tenant_id) \(.proto) \(.state) \(.generation) \(.link_id) \(.pin)"')"
	prog_id=$(shown "$name" '.handlers[] | select(.name == "rx") | .prog_id')
	check_eq "$name: its rx program is $prog, a struct_ops program (bpftool)" \
		"$prog struct_ops" \
		"$(bpftool -j prog show id "$prog_id" | jq -r '"\(.name) \(.type)"')"
	check "$name: the verifier's instruction count is there" \
		test "$(shown "$name" '.handlers[] | select(.name == "rx") | .verified_insns')" -gt 0
	check_eq "$name: text row" "$name $proto bound $gen $link rx:$prog_id $pin" \
		"$(chamctl proto show | awk -v t="$name" '$1 == t { print $1, $2, $3, $4, $5, $6, $7 }')"
done
check_eq "text header" "TENANT PROTO STATE GEN LINK PROGS PIN" \
	"$(chamctl proto show | head -n1 | tr -s ' ')"
check_eq "a tenant's owner sees only its own (the kernel filters)" "alpha" \
	"$(as_uid $OWNER chamctl -j proto show | jq -r '[.[].tenant] | join(" ")')"

# ---- what holds the module ---------------------------------------------------------

status=$(chamctl -j status)
check_eq "status: the port, with Chamelio's XDP program" "cham0 cham_xdp" \
	"$(printf '%s' "$status" | jq -r '.ports[] | "\(.ifname) \(.xdp_prog)"')"
check_eq "status: the three protocol links" "$(bpftool_links)" \
	"$(printf '%s' "$status" | jq -c '[.protocols[].link_id] | sort')"
check_eq "status: nothing unbound" "[]" "$(printf '%s' "$status" | jq -c .unbound)"
check_eq "status: what to run" \
	"chamctl proto unload alpha|chamctl proto unload beta|chamctl proto unload gamma|chamctl port detach cham0" \
	"$(printf '%s' "$status" | jq -r '.actions | join("|")')"
text=$(chamctl status)
check "status text: names the port" sh -c "printf '%s' \"\$1\" | grep -q '^cham0 '" _ "$text"
check "status text: names bpftool's link and pin" \
	sh -c "printf '%s' \"\$1\" | grep -q \"^alpha .* $alpha_link .*$BT_PIN/udp_echo\"" _ "$text"
check "status text: says what to run" \
	sh -c "printf '%s' \"\$1\" | grep -q '^  chamctl proto unload beta$'" _ "$text"
check_eq "status as alpha's owner: its protocol; what no tenant binds is root's to see" \
	"alpha null" \
	"$(as_uid $OWNER chamctl -j status | jq -r '"\([.protocols[].tenant] | join(" ")) \(.unbound)"')"
check_fails "rmmod is refused meanwhile" rmmod chamelio

# ---- replacing: a new generation on the same link, nothing stale ---------------------

check "proto replace on bpftool's link" chamctl proto replace alpha "$BPF/udp_upper.bpf.o"
check_eq "alpha: udp_upper, generation 2, the same link and pin" \
	"udp_upper bound 2 $alpha_link $BT_PIN/udp_echo" \
	"$(shown alpha '"\(.proto) \(.state) \(.generation) \(.link_id) \(.pin)"')"
check_eq "... its rx program is udp_upper's" udp_upper_rx \
	"$(bpftool -j prog show id "$(shown alpha '.handlers[0].prog_id')" | jq -r .name)"
check_eq "... still three tenants listed" "alpha beta gamma" \
	"$(chamctl -j proto show | jq -r '[.[].tenant] | join(" ")')"
check_eq "... and no stale pin" "[]" "$(chamctl -j proto show stale)"
check_eq "... nor a note about one" "" "$(chamctl proto show 2>&1 >/dev/null)"

# ---- a tenant deleted under its protocol: its link is stale ----------------------------

chamctl tenant add epsilon id 5 >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant epsilon >/dev/null
eps_link=$(pinned_id "$PIN/epsilon")
check "epsilon deleted with its protocol registered" chamctl tenant del epsilon
check_eq "proto show does not list the stale pin as a tenant" "alpha beta gamma" \
	"$(chamctl -j proto show | jq -r '[.[].tenant] | join(" ")')"
check "... a note says there is one" \
	sh -c 'chamctl proto show 2>&1 >/dev/null | grep -q "1 pinned protocol link no tenant binds"'
check_eq "proto show stale lists it: pin, link, protocol, the tenant it names" \
	"$PIN/epsilon $eps_link udp_echo epsilon" \
	"$(chamctl -j proto show stale | jq -r '.[] | "\(.pin) \(.link_id) \(.proto) \(.tenant)"')"
check_eq "status lists it as unbound, with its pin" "link $eps_link $PIN/epsilon" \
	"$(chamctl -j status | jq -r '.unbound[] | "\(.kind) \(.id) \(.pins | join(","))"')"
chamctl status | sed 's/^/# status: /'
check "status says to unload it by link" \
	sh -c "chamctl -j status | jq -e '.actions | index(\"chamctl proto unload link $eps_link\")'"

# ---- errors -----------------------------------------------------------------------

check_errno "unloading a tenant without protocol says so" \
	"tenant delta has no protocol bound: No such file or directory" \
	chamctl proto unload delta
chamctl proto unload delta >/dev/null 2>&1
check_eq "... exit status 1" 1 $?
check_errno "unloading a tenant that does not exist fails (ENOENT)" \
	"No such file or directory" chamctl proto unload nosuch
check_errno "a link that is no protocol's is not detached" \
	"no link\|No such file" chamctl proto unload link 999999
check_errno "a user who is not root cannot detach a link by id (EPERM)" \
	"Operation not permitted" as_uid 1001 chamctl proto unload link $eps_link
check_eq "... and the stale link is still there" "$eps_link" \
	"$(chamctl -j proto show stale | jq -r '.[].link_id')"

# ---- unloading, whoever registered ----------------------------------------------------

check "gamma unloads (chamctl's link)" chamctl proto unload gamma
check "... its pin is gone" test ! -e "$PIN/gamma"
check_eq "... gamma has no protocol" null "$(chamctl -j tenant show gamma | jq -c .proto)"
eventually "... and bpftool no longer sees its link" link_gone "$gamma_link"

check "beta unloads (libbpf's link)" chamctl proto unload tenant beta
check "... its pin is gone" test ! -e "$LIB_PIN"
check_eq "... beta has no protocol" null "$(chamctl -j tenant show beta | jq -c .proto)"
eventually "... and bpftool no longer sees its link" link_gone "$beta_link"

chamctl proto serve socket "$SOCK" 2>/tmp/proto41-serve.log &
serve_pid=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
check_errno "a non-owner is refused by the daemon" "does not own tenant alpha" \
	as_uid 1001 chamctl proto unload alpha socket "$SOCK"
check "alpha's owner unloads bpftool's link through the daemon" \
	as_uid $OWNER chamctl proto unload alpha socket "$SOCK"
check "... bpftool's pin is gone" test ! -e "$BT_PIN/udp_echo"
check_eq "... alpha has no protocol" null "$(chamctl -j tenant show alpha | jq -c .proto)"
eventually "... and bpftool no longer sees its link" link_gone "$alpha_link"
check_errno "the daemon says when there is nothing to unload" \
	"tenant alpha has no protocol bound" \
	as_uid $OWNER chamctl proto unload alpha socket "$SOCK"
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null
serve_pid=

# ---- an ejected protocol unloads too -------------------------------------------------

chamctl tenant add burner id 6 default drop ceiling 1ms eject-after 1 >/dev/null
chamctl rule add burner dst $HOST4 proto udp dport 7200 >/dev/null
chamctl proto load "$BPF/burner.bpf.o" tenant burner >/dev/null
burner_link=$(pinned_id "$PIN/burner")
burner_configure burner 10000000 0
printf 'spin' | ip netns exec cl socat -u - "UDP:$HOST4:7200"
eventually "burner is ejected after one call above its ceiling" \
	sh -c '[ "$(chamctl -j proto show | jq -r ".[] | select(.tenant == \"burner\") | .state")" = ejected ]'
check_eq "proto show: ejected, its link still binds it" "ejected $burner_link" \
	"$(shown burner '"\(.state) \(.link_id)"')"
# Its map pinned by hand outlives the unload, and holds the module.
burner_map=$(bpftool -j link show pinned "$PIN/burner" | jq .map_id)
bpftool map pin id "$burner_map" /sys/fs/bpf/burner_map
check "the ejected protocol unloads" chamctl proto unload burner
check "... its pin is gone" test ! -e "$PIN/burner"
check_eq "... and proto show lists no protocol" "[]" "$(chamctl -j proto show)"
check_eq "status: burner's map, pinned, is unbound" \
	"map $burner_map burner burner /sys/fs/bpf/burner_map" \
	"$(chamctl -j status | jq -r '.unbound[] | select(.kind == "map") | "\(.kind) \(.id) \(.proto) \(.tenant) \(.pins | join(","))"')"

# ---- following status's advice lets rmmod succeed -------------------------------------

actions=$(chamctl -j status | jq -r '.actions[]')
diag "status advises: $(printf '%s' "$actions" | tr '\n' ';')"
check_eq "status: unload epsilon's stale link, remove the map's pin, detach the port" \
	"chamctl proto unload link $eps_link;rm /sys/fs/bpf/burner_map;chamctl port detach cham0" \
	"$(printf '%s' "$actions" | grep -v '^#' | tr '\n' ';' | sed 's/;$//')"
check "running what status says" sh -c "$(printf '%s' "$actions" | grep -v '^#' | tr '\n' ';')"
check "... epsilon's pin is gone" test ! -e "$PIN/epsilon"
check "... and the map's" test ! -e /sys/fs/bpf/burner_map
eventually "status: nothing holds the module" \
	sh -c 'chamctl status | grep -q "^nothing holds the module"'
check "rmmod chamelio succeeds" unload_module
check_eq "status: not loaded" "module chamelio: not loaded" "$(chamctl status)"
load_module
rm -rf "$BT_PIN" "$LIB_PIN" /sys/fs/bpf/burner_map
reset_state
finish
