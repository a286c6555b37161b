#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a protocol author meets: the stateful example (bpf/udp_kv.bpf.c)
# served to real clients over IPv4 and IPv6 with answers as long as they
# need to be; the template and the example built outside the tree from the
# installed kit (scripts/check-kit.sh, on the host), loaded and serving;
# and errors that say why.
. ./lib.sh

KIT=$CHAM/selftests/kit
PROGS=$CHAM/selftests/progs

load_module
reset_state
setup_net
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 default drop >/dev/null
for addr in $HOST4 $HOST6; do
	chamctl rule add alpha dst $addr proto udp dport 7300 >/dev/null
	chamctl rule add alpha dst $addr proto udp dport 7301 >/dev/null
done

# kv ADDR REQUEST ANSWER: the answer to REQUEST is ANSWER (socat's client).
kv() {
	check_eq "$2 ($1)" "$3" "$(udp_ask_n "$1" 7300 "$2" "${#3}")"
}

# kv_ncat ADDR REQUEST: ncat's answer to REQUEST and a newline, as a person
# would ask (ncat sends at once, then waits a second for the answer).
kv_ncat() {
	(printf '%s\n' "$2"; sleep 1) | ip netns exec cl timeout 5 ncat -u "$1" 7300
}

# ---- udp_kv, answers of their own length --------------------------------------

check "udp_kv loads for alpha" chamctl proto load "$BPF/udp_kv.bpf.o" tenant alpha
csum4=$(udp_stat cl InCsumErrors)
csum6=$(udp_stat cl Udp6InCsumErrors)
kv $HOST4 "GET colour" NOT_FOUND
kv $HOST4 "SET colour blue" OK
kv $HOST4 "GET colour" blue
kv $HOST6 "GET colour" blue
kv $HOST6 "SET colour a-much-longer-value-than-the-request" OK
kv $HOST6 "GET colour" a-much-longer-value-than-the-request
# veth copies each frame into a buffer sized to it (cache-line aligned):
# after this 52-byte frame there are 12 bytes to grow into, so the answer
# cannot grow by 26. udp_kv says so rather than staying silent.
kv $HOST4 "GET colour" "ERR no room"
kv $HOST4 "SET colour blue-green" OK
kv $HOST4 "GET colour" blue-green
# The bounds: a 32-byte key and a 64-byte value are the largest.
key32=$(printf 'k%031d' 0)
value64=$(printf 'v%063d' 7)
kv $HOST4 "SET $key32 $value64" OK
kv $HOST6 "GET $key32" "$value64"
kv $HOST4 "GET ${key32}x" ERR
kv $HOST4 "SET short ${value64}x" ERR
kv $HOST4 "DEL $key32" OK
kv $HOST4 "DEL $key32" NOT_FOUND
kv $HOST4 "GET $key32" NOT_FOUND
kv $HOST6 "FLY away" ERR
kv $HOST4 "VERSION" ERR
check_eq "ncat: GET with a newline gets the value and the newline (IPv4)" \
	"OK|blue|" "$(kv_ncat $HOST4 'SET colour blue' | tr '\n' '|'
		       kv_ncat $HOST4 'GET colour' | tr '\n' '|')"
check_eq "ncat over IPv6" "blue|" "$(kv_ncat $HOST6 'GET colour' | tr '\n' '|')"
check_eq "the client's kernel found no bad UDP checksum (IPv4)" "$csum4" \
	"$(udp_stat cl InCsumErrors)"
check_eq "the client's kernel found no bad UDP checksum (IPv6)" "$csum6" \
	"$(udp_stat cl Udp6InCsumErrors)"
check_accounting alpha

# ---- the kit: objects built outside the tree ----------------------------------

if [ -e "$KIT/my_proto.bpf.o" ] && [ -e "$KIT/my_kv.bpf.o" ]; then
	ok "the kit-built objects are there (scripts/check-kit.sh)"
	check "the kit-built template replaces udp_kv" \
		chamctl proto replace alpha "$KIT/my_proto.bpf.o"
	check_eq "the template answers" "re: hello" \
		"$(udp_ask_n $HOST4 7301 hello 9)"
	check_eq "... over IPv6 too" "re: hello6" \
		"$(udp_ask_n $HOST6 7301 hello6 10)"
	# answered is the value's first u64, little-endian: its low byte
	# is the first two hex digits of each CPU's value.
	answered=0
	for low in $(chamctl -j map dump alpha stats | jq -r '.[].values[].value[0:2]'); do
		answered=$((answered + 0x$low))
	done
	check_eq "the template counted both (its per-CPU map, chamctl map dump)" 2 "$answered"
	check "the kit-built udp_kv replaces the template" \
		chamctl proto replace alpha "$KIT/my_kv.bpf.o"
	kv $HOST4 "GET colour" blue
else
	not_ok "the kit-built objects are there (run scripts/check-kit.sh first)"
fi

# ---- errors that say why ------------------------------------------------------

chamctl proto unload alpha >/dev/null
out=$(chamctl proto load "$PROGS/verifier_reject.bpf.o" tenant alpha 2>&1)
check "a program the verifier refuses is not loaded" \
	sh -c "! chamctl -j tenant show alpha | jq -e .proto >/dev/null"
check_eq "chamctl names the program the verifier refused" 1 \
	"$(printf '%s\n' "$out" | grep -c "the verifier refused program 'verifier_reject_rx':")"
check "... and gives the verifier's reason" \
	sh -c "printf '%s\n' \"\$1\" | grep -q \"invalid mem access 'mem_or_null'\"" sh "$out"
check "... with the instruction it was at" \
	sh -c "printf '%s\n' \"\$1\" | grep -qE '^    [0-9]+: \\([0-9a-f]+\\)'" sh "$out"
check "... and says how to see the whole log" \
	sh -c "printf '%s\n' \"\$1\" | grep -qE 'the whole verifier log, [0-9]+ lines: run again with -v'" sh "$out"
check "... but not the whole log" \
	test "$(printf '%s\n' "$out" | wc -l)" -lt 15
diag "$(printf '%s\n' "$out" | head -n 6)"
verbose=$(chamctl -v proto load "$PROGS/verifier_reject.bpf.o" tenant alpha 2>&1)
check "with -v the whole log, up to the verifier's statistics" \
	sh -c "printf '%s\n' \"\$1\" | grep -q '^processed [0-9]* insns'" sh "$verbose"

chamctl tenant set alpha insn-limit 20 >/dev/null
out=$(chamctl proto load "$BPF/udp_kv.bpf.o" tenant alpha 2>&1)
check "a handler over the insn-limit is refused" \
	sh -c "! chamctl -j tenant show alpha | jq -e .proto >/dev/null"
check "E2BIG names the handler, its size and the limit" \
	sh -c "printf '%s\n' \"\$1\" | grep -qE \"handler udp_kv_rx verified [0-9]+ instructions, more than the tenant's insn-limit of 20 \\(E2BIG\\)\"" sh "$out"
diag "$out"
chamctl tenant set alpha insn-limit none >/dev/null
check_errno "a protocol for a tenant that does not exist" \
	"no such tenant nosuch (create it with chamctl tenant add)" \
	chamctl proto load "$BPF/udp_kv.bpf.o" tenant nosuch

reset_state
finish
