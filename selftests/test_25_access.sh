#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Access: a tenant's owner (a non-root uid) loads its own protocol through
# the provider's loader daemon (chamctl proto serve) and it serves traffic;
# nobody but the owner or the provider binds a protocol to a tenant (EPERM,
# the current protocol stays); a non-root uid reads only its own tenants,
# cannot join the events group and gets EPERM for every write; forged
# frames from an XDP program of one's own reach no handler; stale and
# link-less registrations are refused; 10,000 rules come and go under
# traffic; dumps in a loop do not hold up registrations.
. ./lib.sh

PROGS=$CHAM/selftests/progs
U=1001	# owns gamma
V=1002	# owns delta; a stranger to gamma and alpha

# as_bpf_uid UID COMMAND...: a non-root uid that may use bpf() and find the
# module's BTF (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN: libbpf reads module
# BTF by id, which needs CAP_SYS_ADMIN on 6.12) but has no CAP_NET_ADMIN:
# the module's ownership check is all that stands between it and a tenant.
as_bpf_uid() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		--inh-caps=-all,+bpf,+perfmon,+sys_admin \
		--ambient-caps=-all,+bpf,+perfmon,+sys_admin "$@"
}
proto_of() { chamctl -j tenant show "$1" | jq -r '.proto.name // "none"'; }

load_module
reset_state
setup_net
mkdir -p "$PIN"
chamctl port attach cham0 >/dev/null
check "tenant alpha (owned by root)" chamctl tenant add alpha id 1 default drop
check "tenant gamma owned by uid $U" chamctl tenant add gamma id 3 default drop owner $U
check "tenant delta owned by uid $V" chamctl tenant add delta id 4 owner $V
check_eq "tenant show gives gamma's owner" $U "$(chamctl -j tenant show gamma | jq .owner)"
chamctl rule add alpha dst $HOST4 proto udp dport 7000 >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 9 >/dev/null
chamctl rule add gamma dst $HOST4 proto udp dport 7300 >/dev/null
chamctl rule add delta dst $HOST4 proto udp dport 7400 >/dev/null
check "root loads udp_echo for alpha" chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha
check_eq "setpriv runs commands as uid $U" $U "$(as_uid $U id -u)"
check_eq "... without capabilities" 0000000000000000 \
	"$(as_uid $U sh -c "awk '/^CapEff/ {print \$2}' /proc/self/status")"

# ---- the documented path: the loader daemon ---------------------------------

chamctl proto serve >/tmp/serve.log 2>&1 &
serve_pid=$!
eventually "the loader daemon listens on /run/chamelio/proto.sock" \
	test -S /run/chamelio/proto.sock
check "uid $U loads udp_echo for its tenant gamma (chamctl proto load, through the daemon)" \
	as_uid $U chamctl proto load "$BPF/udp_echo.bpf.o" tenant gamma
check_eq "gamma runs udp_echo" udp_echo "$(proto_of gamma)"
check "the link is pinned at $PIN/gamma" test -e "$PIN/gamma"
check_eq "gamma's protocol serves traffic" "owner loaded" \
	"$(udp_ask $HOST4 7300 'owner loaded')"
check "the daemon logged the request" grep -q gamma /tmp/serve.log
check_accounting gamma

check_errno "uid $U cannot load a protocol for alpha (root's) through the daemon: EPERM" \
	"Operation not permitted" \
	as_uid $U chamctl proto load "$BPF/udp_upper.bpf.o" tenant alpha
check_errno "uid $U cannot load a protocol for delta (uid $V's) through the daemon: EPERM" \
	"Operation not permitted" \
	as_uid $U chamctl proto load "$BPF/udp_upper.bpf.o" tenant delta
check_eq "delta still has no protocol" none "$(proto_of delta)"
check_errno "uid $U cannot unload alpha's protocol: EPERM" "Operation not permitted" \
	as_uid $U chamctl proto unload alpha
check_eq "alpha still runs udp_echo" udp_echo "$(proto_of alpha)"
check_eq "alpha still answers" "mine" "$(udp_ask $HOST4 7000 mine)"
check_errno "the daemon refuses an object with a kernel symbol besides bpf_cham_*" \
	"bpf_rcu_read_lock" \
	as_uid $U chamctl proto load "$PROGS/hostile_ksym.bpf.o" tenant gamma
check_errno "the daemon refuses a __ksym variable (its address would leak in the log)" \
	"kernel variable bpf_cham_rx" \
	as_uid $U chamctl proto load "$PROGS/hostile_ksym_var.bpf.o" tenant gamma
# A map pinned by name lives in the tenant's state directory, pinned with
# the owner's uid, never where libbpf would pin it as root (test_42_state
# covers reuse across versions and across tenants).
check "the daemon takes an object with a pinned map (LIBBPF_PIN_BY_NAME) as a replace" \
	as_uid $U chamctl proto replace gamma "$PROGS/hostile_pin.bpf.o"
check "... pins nothing in /sys/fs/bpf" test ! -e /sys/fs/bpf/hostile_pinned
check_eq "... but in gamma's state directory, as uid $U" $U \
	"$(stat -c %u /sys/fs/bpf/chamelio-state/gamma/hostile_pinned)"
check "uid $U replaces it with udp_echo again" \
	as_uid $U chamctl proto replace gamma "$BPF/udp_echo.bpf.o"
check_errno "the daemon refuses root through an explicit socket" "serves no uid 0" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant gamma socket /run/chamelio/proto.sock
check_eq "gamma keeps udp_echo" udp_echo "$(proto_of gamma)"
check "uid $U unloads its own protocol" as_uid $U chamctl proto unload gamma
eventually "gamma has no protocol after its owner unloaded it" \
	sh -c '[ "$(chamctl -j tenant show gamma | jq -r .proto)" = null ]'
kill $serve_pid 2>/dev/null
wait $serve_pid 2>/dev/null
serve_pid=

# ---- the kernel's own check: binding to a tenant one does not own -----------

# Through bpftool (map update and link creation in the caller's context),
# without the daemon: uid V with the capabilities to load BPF, not the
# provider's CAP_NET_ADMIN. udp_upper and fixed_punt name their tenants in
# the object (beta, alpha).
dmesg -c >/dev/null
check_errno "uid $V (CAP_BPF, no CAP_NET_ADMIN) cannot register for alpha: EPERM" \
	"Operation not permitted" \
	as_bpf_uid $V bpftool struct_ops register "$PROGS/fixed_punt.bpf.o"
check "the kernel log names the uid and the tenant" \
	sh -c "dmesg | grep -q 'uid $V .*may not bind a protocol to tenant alpha'"
check_eq "alpha keeps udp_echo" udp_echo "$(proto_of alpha)"
check_eq "alpha still answers after the refused registration" "untouched" \
	"$(udp_ask $HOST4 7000 untouched)"
check_accounting alpha

# The same uid, once the admin makes it alpha's owner, may: the refusal
# above was about ownership, not about the capabilities. (alpha must be
# free first: a second registration is refused, EBUSY.)
chamctl proto unload alpha
chamctl tenant set alpha owner $V >/dev/null
mkdir -p /sys/fs/bpf/u$V && chown $V /sys/fs/bpf/u$V
check "uid $V registers for alpha once it owns alpha" \
	as_bpf_uid $V bpftool struct_ops register "$PROGS/fixed_punt.bpf.o" /sys/fs/bpf/u$V
check_eq "alpha now runs fixed_punt" fixed_punt "$(proto_of alpha)"
rm -rf /sys/fs/bpf/u$V
# Removing the last pin releases the link in deferred work.
eventually "alpha is free once uid $V's link is gone" \
	sh -c '[ "$(chamctl -j tenant show alpha | jq -r .proto)" = null ]'
chamctl tenant set alpha owner 0 >/dev/null
check "root may bind a protocol to a tenant it does not own (gamma, uid $U's)" \
	chamctl proto load "$BPF/udp_echo.bpf.o" tenant gamma
check "root loads udp_echo for alpha again" chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha
check_eq "alpha answers again" again "$(udp_ask $HOST4 7000 again)"

# ---- private reads ----------------------------------------------------------

check_eq "uid $U lists only its own tenant" '["gamma"]' \
	"$(as_uid $U chamctl -j tenant show | jq -c '[.[].name]')"
check_eq "uid $U reads its own tenant" gamma "$(as_uid $U chamctl -j tenant show gamma | jq -r .name)"
check_errno "uid $U cannot read alpha's tenant entry (ENOENT)" "No such file or directory" \
	as_uid $U chamctl tenant show alpha
check_errno "uid $U cannot read delta's tenant entry by id (ENOENT)" "No such file or directory" \
	as_uid $U chamctl tenant show 4
check_eq "uid $U's stats dump holds only gamma" '["gamma"]' \
	"$(as_uid $U chamctl -j stats | jq -c '[.[].name]')"
check_eq "uid $U reads its own stats" 3 "$(as_uid $U chamctl -j stats gamma | jq .id)"
check_errno "uid $U cannot read alpha's stats (ENOENT)" "No such file or directory" \
	as_uid $U chamctl stats alpha
check_fails "uid $U cannot read the unclassified statistics (id 0)" \
	as_uid $U chamctl -j stats 0
check_eq "uid $U's rule dump holds only gamma's rule" '["gamma"]' \
	"$(as_uid $U chamctl -j rule show | jq -c '[.[].tenant] | unique')"
alpha_rule=$(chamctl -j rule show | jq '[.[] | select(.tenant == "alpha")][0].id')
gamma_rule=$(chamctl -j rule show | jq '[.[] | select(.tenant == "gamma")][0].id')
check_eq "uid $U reads its own rule by id" gamma \
	"$(as_uid $U chamctl -j rule show $gamma_rule | jq -r .tenant)"
check_errno "uid $U cannot read alpha's rule by id (ENOENT)" "No such file or directory" \
	as_uid $U chamctl rule show $alpha_rule
check_eq "root still sees every tenant" '["alpha","delta","gamma"]' \
	"$(chamctl -j tenant show | jq -c '[.[].name] | sort')"
check "ports stay readable by all" as_uid $U chamctl port show
check "the configuration stays readable by all" as_uid $U chamctl config show

# Events: the group needs CAP_NET_ADMIN. Root's monitor joins and waits for
# events (ejections; none come) until timeout stops it; uid U's cannot join.
out=$(timeout 2 chamctl monitor count 1 2>&1)
status=$?
check "root joins the events group (the monitor waits, stopped by timeout, status $status)" \
	test "$status" -ne 0 -a "$status" -ne 1 -a -z "$out"
check_errno "uid $U cannot join the events group (EPERM)" "Operation not permitted" \
	as_uid $U timeout 10 chamctl monitor count 1

# ---- every write: EPERM, nothing changed ------------------------------------

# acc0: an interface that could become a port.
ip link add acc0 type veth peer name acc1
config_before=$(chamctl -j config show)
tenants_before=$(chamctl -j tenant show | jq -c .)
rules_before=$(chamctl -j rule show | jq -c .)
ports_before=$(chamctl -j port show | jq -c .)
for write in "tenant add zeta id 9" "tenant set gamma share 10%" \
	"tenant set gamma owner $U" "tenant set gamma source 10.9.0.0/16" \
	"tenant del gamma" "tenant del alpha" \
	"rule add gamma dst $HOST4 proto udp dport 7301" "rule del $gamma_rule" \
	"rule del $alpha_rule" "port attach acc0" "port detach cham0" \
	"config set accounting off"; do
	# shellcheck disable=SC2086 # the words are the command
	check_errno "uid $U: chamctl $write: EPERM" "Operation not permitted" \
		as_uid $U chamctl $write
done
check_eq "the writes changed no tenant" "$tenants_before" "$(chamctl -j tenant show | jq -c .)"
check_eq "the writes changed no rule" "$rules_before" "$(chamctl -j rule show | jq -c .)"
check_eq "the writes changed no port" "$ports_before" "$(chamctl -j port show | jq -c .)"
check_eq "the writes changed no setting" "$config_before" "$(chamctl -j config show)"
ip link del acc0

# ---- forged frames from an XDP program of one's own ------------------------

# forged_rx calls bpf_cham_rx like the provider program. Run on a crafted
# datagram to alpha's port 9 with BPF_PROG_TEST_RUN and no ingress device,
# it reaches no handler; the unclassified not_port counts it.
check "an XDP program calling bpf_cham_rx loads (root)" \
	bpftool prog load "$PROGS/forged_rx.bpf.o" "$PIN/forged_rx" type xdp
cham_frames raw ipv4-udp "$(mac_of "" cham0)" >/tmp/forged.frame
a_before=$(chamctl -j stats alpha)
u_before=$(chamctl -j stats 0)
check "bpftool prog run of forged frames (no ingress device)" \
	bpftool prog run pinned "$PIN/forged_rx" data_in /tmp/forged.frame repeat 20
check_eq "forged frames: alpha's handler was not called" 0 \
	"$(counter_delta "$a_before" alpha .handler_calls)"
check_eq "forged frames: no packet counted for alpha" 0 \
	"$(counter_delta "$a_before" alpha .packets)"
check_eq "forged frames: 20 counted as not_port" 20 \
	"$(counter_delta "$u_before" 0 .parse_errors.not_port)"
# The control: the same frame with cham0 as ingress device (a provider's
# benchmark run) does reach the handler.
le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
{ le32 0; le32 "$(stat -c %s /tmp/forged.frame)"; le32 0
  le32 "$(cat /sys/class/net/cham0/ifindex)"; le32 0; le32 0; } >/tmp/forged.ctx
a_before=$(chamctl -j stats alpha)
check "bpftool prog run with cham0 as ingress device" \
	bpftool prog run pinned "$PIN/forged_rx" data_in /tmp/forged.frame \
	ctx_in /tmp/forged.ctx repeat 1
check_eq "with cham0 as ingress, the handler runs (the check above can fail)" 1 \
	"$(counter_delta "$a_before" alpha .handler_calls)"
rm -f "$PIN/forged_rx" /tmp/forged.frame /tmp/forged.ctx
check_accounting alpha
check_accounting 0
check_errno "a devmap program calling bpf_cham_rx is refused at load" \
	"calling kernel function bpf_cham_rx is not allowed" \
	bpftool prog load "$PROGS/devmap_rx.bpf.o" "$PIN/devmap_rx"
rm -f "$PIN/devmap_rx"

# ---- registrations the module refuses ---------------------------------------

check_errno "a protocol registered without a link (.struct_ops) is refused: EOPNOTSUPP" \
	"Operation not supported" \
	bpftool struct_ops register "$PROGS/nolink.bpf.o"
check_eq "alpha keeps udp_echo after the link-less attempt" udp_echo "$(proto_of alpha)"

# A map prepared for tenant alpha, which is then deleted and created again
# under the same name (stale_map prints its own checks; it registers
# first, so alpha must be free).
chamctl proto unload alpha
stale_map "$PROGS/fixed_punt.bpf.o" \
	"chamctl tenant del alpha && chamctl tenant add alpha id 1 default drop && \
	 chamctl rule add alpha dst $HOST4 proto udp dport 7000 >/dev/null" ||
	not_ok "stale_map exited with status $?"
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
check_eq "alpha (re-created) answers with a fresh registration" fresh \
	"$(udp_ask $HOST4 7000 fresh)"

# ---- 10,000 rules added and removed under traffic (chamctl -batch) ----------

awk 'BEGIN { for (i = 0; i < 10000; i++)
	printf "rule add delta dst 10.200.%d.%d proto udp dport 7400\n", i / 256, i % 256 }' \
	>/tmp/rules.add
rules_before=$(chamctl -j rule show | jq length)
rm -f /tmp/stop_traffic
(
	while [ ! -e /tmp/stop_traffic ]; do
		if [ "$(udp_ask $HOST4 7000 ping)" = ping ]; then
			echo echoed
		else
			echo lost
		fi
	done >/tmp/echoes
) &
asker=$!
trap 'touch /tmp/stop_traffic' EXIT
eventually "the client gets echoes before the batch" grep -q echoed /tmp/echoes
check "chamctl -batch adds 10,000 rules" chamctl -batch /tmp/rules.add
check_eq "10,000 more rules" $((rules_before + 10000)) "$(chamctl -j rule show | jq length)"
chamctl -j rule show |
	jq -r '.[] | select(.tenant == "delta" and (.dst | startswith("10.200."))) | "rule del \(.id)"' \
	>/tmp/rules.del
check_eq "10,000 rules to delete" 10000 "$(wc -l </tmp/rules.del)"
check "chamctl -batch removes them" chamctl -batch /tmp/rules.del
check_eq "the rule count is back" "$rules_before" "$(chamctl -j rule show | jq length)"
touch /tmp/stop_traffic
wait $asker
trap - EXIT
check "the client got echoes throughout" grep -q echoed /tmp/echoes
check_eq "no echo was lost while the rules changed" 0 "$(grep -c lost /tmp/echoes)"
diag "$(grep -c echoed /tmp/echoes) echoes during the batches"
check_eq "alpha answers after the batches" "after" "$(udp_ask $HOST4 7000 after)"
check_accounting alpha
rm -f /tmp/rules.add /tmp/rules.del /tmp/echoes /tmp/stop_traffic

# ---- dumps in a loop (non-root) while protocols register --------------------

rm -f /tmp/stop_dumps /tmp/dumps
as_uid $U sh -c 'while [ ! -e /tmp/stop_dumps ]; do
	chamctl -j tenant show >/dev/null; chamctl -j stats >/dev/null
	chamctl -j rule show >/dev/null; echo dump; done >/tmp/dumps' &
dumper=$!
eventually "the dump loop runs" test -s /tmp/dumps
gen=$(chamctl -j tenant show alpha | jq .proto.generation)
registered=0
i=0
while [ $i -lt 20 ]; do
	chamctl proto replace alpha "$BPF/udp_echo.bpf.o" >/dev/null && registered=$((registered + 1))
	i=$((i + 1))
done
touch /tmp/stop_dumps
wait $dumper
check_eq "20 replacements completed during the dump loop" 20 "$registered"
check_eq "the generation counts all 20" $((gen + 20)) \
	"$(chamctl -j tenant show alpha | jq .proto.generation)"
diag "$(wc -l </tmp/dumps) dump rounds meanwhile"
check_eq "alpha answers after the replacements" done "$(udp_ask $HOST4 7000 done)"
rm -f /tmp/stop_dumps /tmp/dumps /tmp/serve.log
reset_state
finish
