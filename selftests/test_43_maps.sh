#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tenants reach their own maps: chamctl tenant add gives each tenant a state
# directory its owner owns (0700, under a root directory others cannot
# list); chamctl map show|dump|lookup|update|delete work there for the
# owner without root and for root, and fail EACCES for anyone else without
# printing any data; a link or hard link the owner plants there leads
# chamctl into another tenant's maps; tenant set owner gives the new owner
# a fresh directory; tenant del removes it. Last, a
# value set with chamctl map update is what udp_kv answers over UDP.
. ./lib.sh

STATE=/sys/fs/bpf/chamelio-state
U=1001	# owns kva
V=1002	# owns kvb
W=1003	# owns no tenant
KV=${KV:-$BPF/udp_kv.bpf.o}

# perms PATH: "uid gid mode" of PATH itself.
perms() { stat -c '%u %g %a' "$1"; }

# check_denied WHAT UID COMMAND...: COMMAND, run as UID, fails with the
# EACCES message and prints nothing on stdout.
check_denied() {
	local what="$1" uid="$2" out err
	shift 2
	err=$(mktemp)
	if out=$(as_uid "$uid" chamctl "$@" 2>"$err"); then
		not_ok "$what (unexpectedly succeeded)"
	elif [ -n "$out" ]; then
		not_ok "$what (printed data: $out)"
	elif grep -q "maps are not yours: Permission denied" "$err"; then
		ok "$what"
	else
		not_ok "$what (failed, but not with EACCES)"
		sed 's/^/# /' "$err" | tail -n 3
	fi
	rm -f "$err"
}

# mkmap TENANT NAME TYPE KEY VALUE ENTRIES: a map pinned in the tenant's
# directory by root, as a protocol's loader would pin it there.
mkmap() {
	bpftool map create "$STATE/$1/$2" type "$3" key "$4" value "$5" \
		entries "$6" name "$2"
}

load_module
reset_state
rm -rf "$STATE"

# ---- the state directory ---------------------------------------------------

check "tenant kva owned by uid $U" chamctl tenant add kva id 41 owner $U
check "tenant kvb owned by uid $V" chamctl tenant add kvb id 42 owner $V
check "tenant kvr, no owner" chamctl tenant add kvr id 43
check_eq "$STATE is root's, 0711" "0 0 711" "$(perms $STATE)"
check_eq "kva's state directory is uid $U's, 0700" "$U 0 700" "$(perms $STATE/kva)"
check_eq "kvb's state directory is uid $V's, 0700" "$V 0 700" "$(perms $STATE/kvb)"
check_eq "kvr's state directory is root's, 0700" "0 0 700" "$(perms $STATE/kvr)"
check_fails "uid $U cannot list the tenants' directories" as_uid $U ls $STATE
check_fails "uid $U cannot look into kvb's directory" as_uid $U ls $STATE/kvb

# A directory a deleted tenant of the same name left is not the new one's.
mkdir -p $STATE/kvz && mkmap kvz leftover hash 4 4 4
check "tenant kvz over a leftover directory" chamctl tenant add kvz id 44 owner $U
check "... starts with an empty directory" test ! -e $STATE/kvz/leftover
check "tenant del kvz by id" chamctl tenant del 44
check "... removes its directory" test ! -e $STATE/kvz

# ---- maps for the owner ----------------------------------------------------

mkmap kva counts hash 4 8 16
mkmap kva names hash 16 16 8
mkmap kva percpu percpu_array 4 8 4
mkmap kvb secret hash 4 8 4
bpftool map update pinned $STATE/kvb/secret key 1 0 0 0 value 7 7 7 7 7 7 7 7
mkmap kvr rootonly array 4 4 1
bpftool prog load "$CHAM/selftests/progs/xdp_pass.bpf.o" $STATE/kva/prog
# What root pinned is root's (0600); chamctl's loads pin as the owner, so
# the test gives these to the owners as such a load would have made them.
check_eq "a pin root made in kva's directory is root's" 0 "$(stat -c %u $STATE/kva/counts)"
check_errno "uid $U cannot open it" "not open to you for reading" \
	as_uid $U chamctl map dump kva counts
chown $U $STATE/kva/counts $STATE/kva/names $STATE/kva/percpu $STATE/kva/prog
chown $V $STATE/kvb/secret
check_errno "a pinned program is not a map" "tenant kva's prog is not a map" \
	as_uid $U chamctl map dump kva prog
check_errno "root: a pinned program is not a map either" "tenant kva's prog is not a map" \
	chamctl map dump kva prog
check_eq "kva's pins are uid $U's now" "$U $U $U" \
	"$(stat -c %u $STATE/kva/counts $STATE/kva/names $STATE/kva/percpu | tr '\n' ' ' | sed 's/ $//')"

check_eq "uid $U lists kva's maps" '["counts","names","percpu"]' \
	"$(as_uid $U chamctl -j map show kva | jq -c '[.[].name]')"
check_eq "... with their types and sizes" 'hash 4 8 16' \
	"$(as_uid $U chamctl -j map show kva | jq -r '.[0] | "\(.type) \(.key_size) \(.value_size) \(.max_entries)"')"
check "uid $U: map show kva (table)" sh -c \
	"setpriv --reuid=$U --regid=$U --clear-groups chamctl map show kva | grep -q '^counts .*hash'"
check "uid $U updates counts: key u32 7 value u64 42" \
	as_uid $U chamctl map update kva counts key u32 7 value u64 42
check_eq "uid $U looks it up" 2a00000000000000 \
	"$(as_uid $U chamctl -j map lookup kva counts key u32 7 | jq -r .value)"
check_eq "... the same key in hex" 2a00000000000000 \
	"$(as_uid $U chamctl -j map lookup kva counts key hex 07 00 00 00 | jq -r .value)"
check_eq "the entry count follows" 1 \
	"$(as_uid $U chamctl -j map show kva | jq '.[] | select(.name == "counts") | .entries')"
check "uid $U updates names with strings" \
	as_uid $U chamctl map update kva names key str colour value str blue
check_eq "lookup shows the value as text" blue \
	"$(as_uid $U chamctl -j map lookup kva names key str colour | jq -r .value_str)"
check_eq "dump shows hex and text" 'key 63 6f 6c 6f 75 72 00 00 00 00 00 00 00 00 00 00 ("colour") value 62 6c 75 65 00 00 00 00 00 00 00 00 00 00 00 00 ("blue")' \
	"$(as_uid $U chamctl map dump kva names)"
check "a value in parts: u32 then str" \
	as_uid $U chamctl map update kva names key str len value u32 4 str blue
check_eq "... is laid out one after the other" 04000000626c75650000000000000000 \
	"$(as_uid $U chamctl -j map lookup kva names key str len | jq -r .value)"
check_eq "strN pads a string field to N bytes" blue \
	"$(as_uid $U chamctl -j map lookup kva names key str16 colour | jq -r .value_str)"
check_errno "... and refuses a longer one" "'abcde' is longer than 4 bytes" \
	as_uid $U chamctl map lookup kva names key str4 abcde
check_eq "dump -j lists both entries" 2 \
	"$(as_uid $U chamctl -j map dump kva names | jq length)"
check "uid $U deletes an entry" as_uid $U chamctl map delete kva counts key u32 7
check_errno "a deleted key is gone" "tenant kva's map counts has no key 07 00 00 00" \
	as_uid $U chamctl map lookup kva counts key u32 7
check_eq "dump of an empty map prints nothing" "" "$(as_uid $U chamctl map dump kva counts)"

# Per-CPU: one value per possible CPU, set on all by update.
ncpus=$(awk -F'[-,]' '{print $NF + 1}' /sys/devices/system/cpu/possible)
check "uid $U updates a per-CPU array" \
	as_uid $U chamctl map update kva percpu key u32 1 value u64 5
check_eq "lookup shows one value per CPU ($ncpus)" "$ncpus" \
	"$(as_uid $U chamctl -j map lookup kva percpu key u32 1 | jq '[.values[] | select(.value == "0500000000000000")] | length')"
check "the text output has a line per CPU" sh -c \
	"setpriv --reuid=$U --regid=$U --clear-groups chamctl map lookup kva percpu key u32 1 | grep -q '^  cpu 0 value 05 00'"
check_errno "an array's entries cannot be deleted" "is an array: its entries cannot be deleted" \
	as_uid $U chamctl map delete kva percpu key u32 1

# The error texts.
check_errno "a key of the wrong size names both sizes" \
	"the key given is 8 bytes, but map counts has 4-byte keys" \
	as_uid $U chamctl map update kva counts key u64 1 value u64 1
check_errno "a value of the wrong size names both sizes" \
	"the value given is 4 bytes, but map counts has 8-byte values" \
	as_uid $U chamctl map update kva counts key u32 1 value u32 1
check_errno "a string longer than the key" \
	"the key given is 20 bytes, but map names has 16-byte keys" \
	as_uid $U chamctl map lookup kva names key str abcdefghijklmnopqrst
check_errno "a map the tenant does not have" \
	"tenant kva has no map nope (chamctl map show kva lists them)" \
	as_uid $U chamctl map dump kva nope
check_errno "a tenant that does not exist (root)" "no such tenant nosuch" \
	chamctl map show nosuch
check_errno "a tenant that does not exist (uid $U)" "no such tenant nosuch" \
	as_uid $U chamctl map show nosuch
check_errno "bad hex is a usage error" "is not bytes in hex" \
	as_uid $U chamctl map lookup kva counts key hex 0g 00 00 00

# ---- anyone else -----------------------------------------------------------

for cmd in "map show kva" "map dump kva counts" "map lookup kva names key str colour" \
	"map update kva names key str colour value str red" \
	"map delete kva names key str colour" "map dump kva nope"; do
	# shellcheck disable=SC2086 # the command's words
	check_denied "uid $V (kvb's owner): chamctl $cmd: EACCES, no data" $V $cmd
	# shellcheck disable=SC2086
	check_denied "uid $W (no tenant): chamctl $cmd: EACCES, no data" $W $cmd
done
check_denied "uid $U: chamctl map dump kvb secret: EACCES" $U map dump kvb secret
check_denied "uid $U: chamctl map show kvr (root's tenant): EACCES" $U map show kvr
# By id the kernel hides whether a tenant that is not one's own exists.
check_errno "uid $U: chamctl map show 42 (kvb by id): no such tenant" "no such tenant 42" \
	as_uid $U chamctl map show 42
check_eq "kva's names entry survived the refused update and delete" blue \
	"$(as_uid $U chamctl -j map lookup kva names key str colour | jq -r .value_str)"

# ---- what the owner may plant ----------------------------------------------

check "uid $U plants a symbolic link to kvb's map in its directory" \
	as_uid $U ln -s ../kvb/secret $STATE/kva/stolen
check_errno "uid $U: the link is refused" "is a symbolic link, not a pinned map" \
	as_uid $U chamctl map dump kva stolen
check_errno "root: the link is refused as well" "is a symbolic link, not a pinned map" \
	chamctl map dump kva stolen
check_eq "map show leaves the link out" '["counts","names","percpu"]' \
	"$(chamctl -j map show kva | jq -c '[.[].name]')"
check "uid $U makes a directory of its own there" \
	as_uid $U sh -c "mkdir $STATE/kva/sub && ln -s /sys/fs/bpf $STATE/kva/sub/up"
# A hard link to a pin of root's, if the kernel lets the owner make one
# (fs.protected_hardlinks=0), must not give the owner root's map.
bpftool map create /sys/fs/bpf/c43_rootmap type hash key 4 value 4 entries 1 name c43_rootmap
if as_uid $U ln /sys/fs/bpf/c43_rootmap $STATE/kva/grab 2>/dev/null; then
	diag "uid $U could hard-link root's pin into its directory"
	check_errno "uid $U cannot open root's pin through its hard link" \
		"not open to you" as_uid $U chamctl map dump kva grab
else
	diag "hard links to root's pins are refused here (protected_hardlinks)"
	ln /sys/fs/bpf/c43_rootmap $STATE/kva/grab
fi
check "root: map dump kva works (as the owner)" chamctl map dump kva names
check "root: map update kva works" \
	chamctl map update kva names key str root value str was-here
check_eq "... and the owner sees it" was-here \
	"$(as_uid $U chamctl -j map lookup kva names key str root | jq -r .value_str)"
check_eq "root: map show kvr (no owner) lists root's map" rootonly \
	"$(chamctl -j map show kvr | jq -r '.[].name')"
check_eq "root: kvb's secret" 0707070707070707 \
	"$(chamctl -j map lookup kvb secret key u32 1 | jq -r .value)"

# ---- handing over and removing ---------------------------------------------

# A new owner starts afresh: handing the pins over would not end the old
# owner's access (map fds they hold stay valid, entries they planted would
# follow).
kva_names=$(bpftool -j map show pinned $STATE/kva/names | jq .id)
check "tenant set kva owner $V" chamctl tenant set kva owner $V
check_eq "kva's directory is uid $V's" "$V 0 700" "$(perms $STATE/kva)"
check_eq "... and empty: the old owner's pins, links and subdirectories are gone" "" \
	"$(ls -A $STATE/kva)"
eventually "... the map they named is no longer pinned" \
	sh -c "! bpftool map show id $kva_names >/dev/null 2>&1"
check_eq "a hard link to root's pin did not take root's pin along" 0 \
	"$(stat -c %u /sys/fs/bpf/c43_rootmap)"
check_eq "the link's target was not followed: kvb's map is uid $V's anyway" "$V" \
	"$(stat -c %u $STATE/kvb/secret)"
check_errno "uid $U (the old owner): kva is no longer theirs" "not yours" \
	as_uid $U chamctl map dump kva names
check_eq "uid $V (the new owner) starts with no maps" "[]" \
	"$(as_uid $V chamctl -j map show kva | jq -c '[.[].name]')"
as_uid $V sh -c "mkdir $STATE/kva/sub2 && ln -s /sys/fs/bpf $STATE/kva/sub2/up"

check "tenant del kva" chamctl tenant del kva
check "... removes its directory, links and subdirectories included" test ! -e $STATE/kva
check "... without touching what a link pointed to" test -e $STATE/kvb/secret
check "... or what a hard link named" test -e /sys/fs/bpf/c43_rootmap
rm -f /sys/fs/bpf/c43_rootmap
check_errno "map commands on a deleted tenant: no such tenant" "no such tenant kva" \
	chamctl map show kva

# ---- the protocol sees what chamctl map update set --------------------------

if [ -f "$KV" ]; then
	setup_net
	chamctl port attach cham0 >/dev/null
	chamctl rule add kvb dst $HOST4 proto udp dport 7300 >/dev/null
	check "root loads udp_kv for kvb" chamctl proto load "$KV" tenant kvb
	check_eq "udp_kv's map kv is pinned in kvb's directory, uid $V's" "$V" \
		"$(stat -c %u $STATE/kvb/kv 2>&1)"
	check_eq "uid $V sees map kv" kv \
		"$(as_uid $V chamctl -j map show kvb | jq -r '.[] | select(.name == "kv") | .name')"
	# struct kv_value { struct bpf_spin_lock lock; u32 len;
	# struct kv_key key; char bytes[64]; }, keys zero-padded to 32 bytes.
	check "uid $V sets colour=blue with chamctl map update" \
		as_uid $V chamctl map update kvb kv key str colour \
		value u32 0 u32 4 str32 colour str blue
	check_eq "udp_kv answers GET colour with it" blue \
		"$(udp_ask_n $HOST4 7300 'GET colour' 4)"
	check_eq "SET over UDP" OK "$(udp_ask_n $HOST4 7300 'SET size large' 2)"
	check_eq "... shows in chamctl map lookup" 05000000 \
		"$(as_uid $V chamctl -j map lookup kvb kv key str size | jq -r '.value[8:16]')"
	check "uid $V deletes it" as_uid $V chamctl map delete kvb kv key str size
	check_eq "udp_kv no longer finds it" NOT_FOUND \
		"$(udp_ask_n $HOST4 7300 'GET size' 9)"
	check_denied "uid $U: map dump kvb kv: EACCES" $U map dump kvb kv
else
	not_ok "no $KV: the protocol part was not run"
fi

check "tenant del kvb" chamctl tenant del kvb
check "... removes its directory" test ! -e $STATE/kvb
reset_state
check "reset_state leaves no tenant directory" \
	sh -c "[ -z \"\$(ls -A $STATE)\" ]"
finish
