#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# State across protocol versions, per tenant: udp_kv's map `kv`, pinned by
# name, lives in the tenant's state directory. Its owner upgrades udp_kv to
# udp_kv_v2 under load (through the loader daemon) and no request goes
# unanswered, the stored values stay, the new version answers VERSION.
# Another tenant, another owner, loading the same object gets a store of
# its own, pinned in its own directory. A symbolic link planted in a
# tenant's directory to another tenant's map is not followed (EACCES), a
# map of another layout is refused by name, and the bpftool flow in a
# private mount namespace reuses the tenant's maps.
. ./lib.sh

STATE=/sys/fs/bpf/chamelio-state
# The two versions (KV1 and KV2 in the environment try other builds).
KV1=${KV1:-$BPF/udp_kv.bpf.o}
KV2=${KV2:-$BPF/udp_kv_v2.bpf.o}
U=1001	# owns alpha
V=1002	# owns beta
proto_of() { chamctl -j tenant show "$1" | jq -r '.proto.name // "none"'; }
map_id() { bpftool -j map show pinned "$1" 2>/dev/null | jq .id; }
# kv PORT REQUEST ANSWER: the answer to REQUEST is ANSWER.
kv() {
	check_eq "$2 (port $1)" "$3" "$(udp_ask_n $HOST4 "$1" "$2" "${#3}")"
}

load_module
reset_state
setup_net
mkdir -p "$PIN"
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 default drop owner $U >/dev/null
chamctl tenant add beta id 2 default drop owner $V >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 7300 >/dev/null
chamctl rule add beta dst $HOST4 proto udp dport 7301 >/dev/null
chamctl proto serve >/tmp/serve.log 2>&1 &
serve_pid=$!
eventually "the loader daemon listens" test -S /run/chamelio/proto.sock

# ---- version 1, its state pinned in alpha's directory ---------------------------

check "uid $U loads udp_kv for alpha (through the daemon)" \
	as_uid $U chamctl proto load "$KV1" tenant alpha
check_eq "the map kv is pinned in alpha's state directory, as uid $U, mode 0600" \
	"$U 600" "$(stat -c '%u %a' $STATE/alpha/kv)"
check "nothing is pinned in /sys/fs/bpf itself" test ! -e /sys/fs/bpf/kv
kv_alpha=$(map_id $STATE/alpha/kv)
i=0
while [ $i -lt 10 ]; do
	kv 7300 "SET k0$i val0$i" OK
	i=$((i + 1))
done
kv 7300 "VERSION" ERR
check_errno "uid $U's second load for alpha is refused, with the way out (EBUSY)" \
	"tenant alpha already runs protocol udp_kv (link [0-9]*): use chamctl proto replace alpha $KV2" \
	as_uid $U chamctl proto load "$KV2" tenant alpha
check_eq "... and pinned nothing new: alpha's kv is the same map" "$kv_alpha" \
	"$(map_id $STATE/alpha/kv)"

# ---- the upgrade, under load ------------------------------------------------------

# A client asking for the stored values one at a time, noting each answer:
# the right value, a wrong one, or none.
rm -f /tmp/stop_traffic /tmp/kv_answers
(
	i=0
	while [ ! -e /tmp/stop_traffic ]; do
		got=$(udp_ask_n $HOST4 7300 "GET k0$i" 5)
		case "$got" in
		"val0$i") echo answered ;;
		"") echo lost ;;
		*) echo "wrong $got" ;;
		esac
		i=$(((i + 1) % 10))
	done >/tmp/kv_answers
) &
asker=$!
trap 'touch /tmp/stop_traffic' EXIT
eventually "the client gets its values" grep -q answered /tmp/kv_answers
check "uid $U replaces udp_kv with udp_kv_v2 under load" \
	as_uid $U chamctl proto replace alpha "$KV2"
n=$(grep -c answered /tmp/kv_answers)
eventually "the client gets values from udp_kv_v2" \
	sh -c "[ \$(grep -c answered /tmp/kv_answers) -ge $((n + 5)) ]"
touch /tmp/stop_traffic
wait $asker
trap - EXIT
check_eq "no request went unanswered across the upgrade" 0 "$(grep -c lost /tmp/kv_answers)"
check_eq "no request got a wrong value" 0 "$(grep -c wrong /tmp/kv_answers)"
diag "$(grep -c answered /tmp/kv_answers) answers during the upgrade"
rm -f /tmp/kv_answers /tmp/stop_traffic
check_eq "alpha runs udp_kv_v2" udp_kv_v2 "$(proto_of alpha)"
kv 7300 "VERSION" "udp_kv 2"
kv 7300 "GET k00" val00
kv 7300 "GET k09" val09
check_eq "the same map, reused (not copied)" "$kv_alpha" "$(map_id $STATE/alpha/kv)"
kv 7300 "SET k10 after" OK

# Through the daemon a version loads only into a directory that holds the
# maps it pins and nothing else: renamed or stashed pins would let an owner
# pile up maps the daemon created, one load at a time.
check "uid $U stashes something in alpha's state directory" \
	as_uid $U mkdir $STATE/alpha/stash
check_errno "uid $U's replace is refused while the directory holds it" \
	"tenant alpha's state holds 'stash', which udp_kv_v2 does not pin" \
	as_uid $U chamctl proto replace alpha "$KV2"
check_eq "alpha still runs udp_kv_v2, on the same map" "udp_kv_v2 $kv_alpha" \
	"$(proto_of alpha) $(map_id $STATE/alpha/kv)"
as_uid $U rmdir $STATE/alpha/stash
check "with it gone, the same replace works" as_uid $U chamctl proto replace alpha "$KV2"
kv 7300 "GET k10" after

# ---- another tenant, another owner, the same object: a store of its own --------

check "uid $V loads udp_kv for beta (through the daemon)" \
	as_uid $V chamctl proto load "$KV1" tenant beta
kv 7301 "GET k00" NOT_FOUND
check_eq "beta's kv is pinned in beta's directory, as uid $V" $V \
	"$(stat -c %u $STATE/beta/kv)"
check "... and is another map than alpha's" \
	test "$(map_id $STATE/beta/kv)" != "$kv_alpha"
kv 7301 "SET k00 beta0" OK
kv 7300 "GET k00" val00
check_errno "uid $V cannot read alpha's state directory" "Permission denied" \
	as_uid $V ls $STATE/alpha
check_fails "uid $V cannot replace alpha's protocol through the daemon" \
	as_uid $V chamctl proto replace alpha "$KV1"
check_eq "... alpha keeps udp_kv_v2 on its map" "udp_kv_v2 $kv_alpha" \
	"$(proto_of alpha) $(map_id $STATE/alpha/kv)"

# ---- a planted link to another tenant's map is not followed ---------------------

check "uid $V removes beta's own pin" as_uid $V rm $STATE/beta/kv
check "uid $V plants a link to alpha's map in beta's directory" \
	as_uid $V ln -s $STATE/alpha/kv $STATE/beta/kv
check_errno "uid $V's replace through the daemon is refused: EACCES" "Permission denied" \
	as_uid $V chamctl proto replace beta "$KV2"
check_errno "root's own replace for beta is refused too (uid $V's permissions)" \
	"Permission denied" \
	chamctl proto replace beta "$KV2"
check_eq "beta keeps udp_kv" udp_kv "$(proto_of beta)"
kv 7301 "VERSION" ERR
kv 7301 "GET k01" NOT_FOUND
check "the link is still a link (nothing pinned over it)" test -L $STATE/beta/kv
as_uid $V rm $STATE/beta/kv

# ---- a map of another layout is refused, by name ------------------------------------

bpftool map create $STATE/beta/kv type hash key 32 value 8 entries 4096 name kv flags 1
chown $V $STATE/beta/kv
check_errno "a pinned kv with another value size is refused, naming the map" \
	"map kv is incompatible with the one pinned in tenant beta's state (value size 8 there, 104 in udp_kv_v2)" \
	as_uid $V chamctl proto replace beta "$KV2"
check_eq "beta keeps udp_kv" udp_kv "$(proto_of beta)"
rm -f $STATE/beta/kv
check "with the bad pin gone, beta upgrades (a fresh store: its old one was unpinned)" \
	as_uid $V chamctl proto replace beta "$KV2"
kv 7301 "VERSION" "udp_kv 2"

# ---- the bpftool flow: a private mount namespace ----------------------------------

kill $serve_pid 2>/dev/null
wait $serve_pid 2>/dev/null
serve_pid=
check "alpha unloaded (its state stays)" chamctl proto unload alpha
check "alpha's kv stays pinned" test -e $STATE/alpha/kv
links=$(mktemp -d)
check "bpftool registers udp_kv with alpha's directory as /sys/fs/bpf" \
	unshare -m sh -c "mount --bind /sys/fs/bpf/chamelio '$links' &&
		mount --bind $STATE/alpha /sys/fs/bpf &&
		mount -o remount,bind,nosymfollow /sys/fs/bpf &&
		bpftool struct_ops register '$KV1' '$links'"
rmdir "$links"
check_eq "alpha runs udp_kv (bpftool's)" udp_kv "$(proto_of alpha)"
check "bpftool's link is pinned in chamctl's pin directory" test -e "$PIN/udp_kv"
kv 7300 "GET k00" val00
kv 7300 "GET k10" after
check_eq "bpftool reused alpha's map" "$kv_alpha" "$(map_id $STATE/alpha/kv)"
check "nothing landed in the global /sys/fs/bpf" test ! -e /sys/fs/bpf/kv
rm -f "$PIN/udp_kv"

check_accounting alpha
check_accounting beta
reset_state
check "tenant del removed the state directories" test ! -e $STATE/alpha -a ! -e $STATE/beta
finish
