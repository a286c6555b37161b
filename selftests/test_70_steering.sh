#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Steering at scale: 4,096 rules of 64 tenants, the mix a provider writes
# (exact IPv4 and IPv6 hosts with single ports, port ranges that touch or
# leave gaps, /24 and /16 and /64 prefixes with other tenants' hosts nested
# inside on other ports, proto any, icmp and portless protocols), steer
# every probe a real client sends to the right tenant, and what no rule
# covers to the host: the counters of every tenant and of the unclassified
# traffic are exactly the probes aimed at them. Overlaps across tenants are
# still refused, naming the rule, and allowed within a tenant. Deleting
# rules by id and a whole tenant re-steers exactly the deleted rules'
# probes. A tenant's udp_echo behind rules among the 4,096 answers a real
# peer from the right source (egress validation looks the source up in the
# same index), and so does the native baseline (module parameter
# native_tenant) when the module has it.
#
# The layout is generated (steering_layout): every rule and every probe,
# each probe with the rule it is aimed at or none, so the expected counts
# are computed from it. Probes are sent by selftests/steer_probe.
. ./lib.sh

TENANTS=64
RULES=4096
# A tenant whose id is a multiple of this lets unclaimed traffic pass; the
# others drop it.
PASS_EVERY=8
ECHO_TENANT=5
GONE_TENANT=37
NATIVE_PARAM=/sys/module/chamelio/parameters/native_tenant

W=$(mktemp -d /tmp/t70.XXXXXX)

# steering_layout: the rules and the probes, one per line:
#   R INDEX TENANT ARGS...           chamctl rule add TENANT ARGS...
#   P INDEX PROTO ADDR PORT          a probe aimed at rule INDEX (-1: at no
#                                    rule), PORT "-" for a portless one
# Rule INDEX belongs to tenant 1 + INDEX % 64, so neighbouring rules (the
# same host on the next port, the host inside a prefix) are other tenants'.
# Rules of different tenants never overlap; each tenant's do not overlap
# either, so a probe aimed at a deleted rule matches no rule at all.
steering_layout() {
	awk -v tenants=$TENANTS 'BEGIN {
		r = 0
		# Exact IPv4 hosts, single ports: four rules per host (udp 7000,
		# udp 7001, tcp 7000, tcp 7002), each of another tenant.
		for (i = 0; i < 1536; i++) {
			a = int(i / 4); v = i % 4
			host = "10.1." int(a / 128) "." (a % 128 + 1)
			proto = v < 2 ? "udp" : "tcp"
			port = v == 0 ? 7000 : v == 1 ? 7001 : v == 2 ? 7000 : 7002
			rule(host "/32 proto " proto " dport " port)
			probe(r, proto, host, port)
			if (v == 0 && a % 4 == 0) {
				probe(-1, "udp", host, 7002)
				probe(-1, "tcp", host, 7001)
				probe(-1, "icmp", host, "-")
			}
			if (v == 0 && a % 32 == 0)
				probe(-1, "udp", "10.1." int(a / 128) ".200", 7000)
			r++
		}
		# Port ranges on IPv4 hosts: eight per host, four touching
		# (20000-20199) and four with gaps (21000-21049, 21100-21149,
		# ...); udp, any or tcp.
		for (i = 0; i < 512; i++) {
			a = int(i / 8); j = i % 8
			host = "10.2.0." (a + 1)
			lo = j < 4 ? 20000 + j * 50 : 21000 + (j - 4) * 100
			hi = lo + 49
			proto = j == 2 || j == 6 ? "any" : j == 3 || j == 7 ? "tcp" : "udp"
			pp = proto == "tcp" ? "tcp" : "udp"
			rule(host "/32 proto " proto " dport " lo "-" hi)
			probe(r, pp, host, lo)
			probe(r, pp, host, hi)
			if (proto == "any")
				probe(r, "tcp", host, lo + 1)
			if (proto == "tcp")
				probe(-1, "udp", host, lo)
			# Just outside: below the first touching range, above
			# the last, and in the gaps.
			if (j == 0 || j >= 4)
				probe(-1, pp, host, lo - 1)
			if (j == 3 || j >= 4)
				probe(-1, pp, host, hi + 1)
			# No port: port-range rules do not take it, not even
			# those of any protocol.
			if (j == 0 && a % 8 == 0) {
				probe(-1, "icmp", host, "-")
				probe(-1, "253", host, "-")
			}
			r++
		}
		# /24 prefixes on ports 8000-8999 (udp or any), each with
		# another tenant'\''s host .7 inside on port 9000: a probe to .7
		# on 8500 is the /24'\''s, not the longer prefix'\''s.
		for (i = 0; i < 512; i++) {
			p = int(i / 2); net = "10.3." p "."
			if (i % 2 == 0) {
				proto = p % 2 == 0 ? "udp" : "any"
				rule(net "0/24 proto " proto " dport 8000-8999")
				probe(r, "udp", net "1", 8000)
				probe(r, "udp", net "254", 8999)
				probe(r, "udp", net "7", 8500)
				if (proto == "any")
					probe(r, "tcp", net "9", 8001)
				if (p % 4 == 0) {
					probe(-1, "udp", net "1", 7999)
					probe(-1, "udp", net "1", 9000)
				}
			} else {
				rule(net "7/32 proto udp dport 9000")
				probe(r, "udp", net "7", 9000)
				if (p % 4 == 1) {
					probe(-1, "udp", net "8", 9000)
					probe(-1, "tcp", net "7", 9000)
				}
			}
			r++
		}
		# /16 prefixes 10.128/16 to 10.255/16: any protocol and port;
		# udp, every port; icmp; tcp 443.
		for (i = 0; i < 128; i++) {
			net = "10." (128 + i) "."
			k = i % 4
			if (k == 0) {
				rule(net "0.0/16 proto any")
				probe(r, "udp", net "1.1", 1)
				probe(r, "tcp", net "255.254", 65535)
				probe(r, "icmp", net "7.7", "-")
				probe(r, "253", net "3.3", "-")
			} else if (k == 1) {
				rule(net "0.0/16 proto udp")
				probe(r, "udp", net "1.1", 1)
				probe(r, "udp", net "200.9", 65535)
				probe(-1, "icmp", net "1.1", "-")
				probe(-1, "tcp", net "1.1", 80)
			} else if (k == 2) {
				rule(net "0.0/16 proto icmp")
				probe(r, "icmp", net "1.1", "-")
				probe(-1, "udp", net "1.1", 53)
			} else {
				rule(net "0.0/16 proto tcp dport 443")
				probe(r, "tcp", net "1.1", 443)
				probe(-1, "tcp", net "1.1", 444)
				probe(-1, "icmp", net "1.1", "-")
			}
			r++
		}
		# Exact IPv6 hosts, single ports, as for IPv4.
		for (i = 0; i < 1024; i++) {
			a = int(i / 4); v = i % 4
			host = sprintf("fd70:1::%x", a + 1)
			proto = v < 2 ? "udp" : "tcp"
			port = v == 0 ? 7000 : v == 1 ? 7001 : v == 2 ? 7000 : 7002
			rule(host "/128 proto " proto " dport " port)
			probe(r, proto, host, port)
			if (v == 0 && a % 4 == 0) {
				probe(-1, "udp", host, 7002)
				probe(-1, "tcp", host, 7001)
				probe(-1, "icmp", host, "-")
			}
			if (v == 0 && a % 64 == 0)
				probe(-1, "udp", sprintf("fd70:1::ff:%x", a), 7000)
			r++
		}
		# IPv6 /64 prefixes: any; udp 5000-5999; icmp (ICMPv6); tcp 22.
		for (i = 0; i < 256; i++) {
			net = sprintf("fd70:2:0:%x::", i)
			k = i % 4
			if (k == 0) {
				rule(net "/64 proto any")
				probe(r, "udp", net "1", 1)
				probe(r, "tcp", net "2", 65535)
				probe(r, "icmp", net "3", "-")
				probe(r, "253", net "4", "-")
			} else if (k == 1) {
				rule(net "/64 proto udp dport 5000-5999")
				probe(r, "udp", net "1", 5000)
				probe(r, "udp", net "ffff", 5999)
				probe(-1, "udp", net "1", 4999)
				probe(-1, "udp", net "1", 6000)
				probe(-1, "icmp", net "1", "-")
			} else if (k == 2) {
				rule(net "/64 proto icmp")
				probe(r, "icmp", net "1", "-")
				probe(-1, "udp", net "1", 53)
			} else {
				rule(net "/64 proto tcp dport 22")
				probe(r, "tcp", net "1", 22)
				probe(-1, "tcp", net "1", 23)
				probe(-1, "253", net "1", "-")
			}
			r++
		}
		# IPv6 /64 prefixes on udp 6000-6999, each with another
		# tenant'\''s host ::7 inside on the range 7000-7099.
		for (i = 0; i < 128; i++) {
			net = sprintf("fd70:3:0:%x::", int(i / 2))
			if (i % 2 == 0) {
				rule(net "/64 proto udp dport 6000-6999")
				probe(r, "udp", net "1", 6000)
				probe(r, "udp", net "7", 6999)
				probe(-1, "udp", net "1", 5999)
			} else {
				rule(net "7/128 proto udp dport 7000-7099")
				probe(r, "udp", net "7", 7000)
				probe(r, "udp", net "7", 7099)
				probe(-1, "udp", net "7", 7100)
				probe(-1, "udp", net "8", 7000)
			}
			r++
		}
	}
	function rule(args) { print "R", r, 1 + r % tenants, "dst", args }
	function probe(target, proto, addr, port) { print "P", target, proto, addr, port }'
}

# tenant_of INDEX, rule_args INDEX, rule_id INDEX: rule INDEX's tenant id,
# its chamctl arguments after the tenant, and the id the kernel gave it.
tenant_of() { echo $((1 + $1 % TENANTS)); }
rule_args() { awk -v r="$1" '$1 == "R" && $2 == r { $1 = $2 = $3 = ""; print; exit }' "$W/layout"; }
rule_id() { awk -v r="$1" '$1 == r { print $2; exit }' "$W/ids"; }

# The awk code that sets, for a probe line ("P TARGET ..."), tenant (the
# tenant of the rule it is aimed at, 0 for none) and deleted (the rule or
# its tenant was deleted: the files gone_rules and gone_tenants, read first).
PROBE_TARGET_AWK='
	FILENAME == ARGV[1] { gone_rule[$1] = 1; next }
	FILENAME == ARGV[2] { gone_tenant[$1] = 1; next }
	$1 == "P" {
		tenant = $2 < 0 ? 0 : 1 + $2 % tenants
		deleted = $2 >= 0 && (($2 in gone_rule) || (tenant in gone_tenant))
	}'

# in_round WHICH: the awk condition for the probes of a round: all, deleted
# (those aimed at deleted rules) or kept (all others, those aimed at no
# rule included).
in_round() {
	case $1 in
	all) echo 1 ;;
	deleted) echo deleted ;;
	kept) echo '!deleted' ;;
	esac
}

# probes_of WHICH: the probes (PROTO ADDR PORT) of round WHICH.
probes_of() {
	awk -v tenants=$TENANTS "$PROBE_TARGET_AWK
		\$1 == \"P\" && $(in_round "$1") { print \$3, \$4, \$5 }" \
		"$W/gone_rules" "$W/gone_tenants" "$W/layout"
}

# expected_counts WHICH: per tenant (0 = unclassified) "ID PACKETS DROPS
# PASSES" that sending the probes of round WHICH must add: a probe aimed at
# a live rule to its tenant (a drop or a pass by its default), any other
# to the host (a pass of the unclassified pseudo-tenant).
expected_counts() {
	awk -v tenants=$TENANTS -v pass_every=$PASS_EVERY "$PROBE_TARGET_AWK
		\$1 == \"P\" && $(in_round "$1") { n[deleted ? 0 : tenant]++ }"'
		END {
			for (t = 0; t <= tenants; t++) {
				if (t in gone_tenant)
					continue
				c = n[t] + 0
				if (t == 0 || t % pass_every == 0)
					print t, c, 0, c
				else
					print t, c, c, 0
			}
		}' "$W/gone_rules" "$W/gone_tenants" "$W/layout"
}

# counts_since SNAPSHOT: what each tenant's counters grew by since
# SNAPSHOT, an earlier `chamctl -j stats`, as expected_counts prints it.
counts_since() {
	chamctl -j stats | jq -r --slurpfile before "$1" '
		($before[0] | map({key: (.id | tostring), value: .}) | from_entries) as $b |
		.[] | ($b[.id | tostring] // {packets: 0, drops: {}, verdicts: {}}) as $o |
		"\(.id) \(.packets - $o.packets) \(.drops.default - ($o.drops.default // 0)) \(.verdicts.pass - ($o.verdicts.pass // 0))"' |
		sort -n
}

# send_probes WHICH TITLE: sends the probes of round WHICH (see in_round)
# from the client and checks every tenant's counters and the unclassified
# ones against expected_counts.
send_probes() {
	local which="$1" title="$2" n before_drops start
	probes_of "$which" >"$W/probes"
	n=$(wc -l <"$W/probes")
	expected_counts "$which" | sort -n >"$W/expected"
	chamctl -j stats >"$W/before"
	before_drops=$(veth_tx_dropped)
	start=$(date +%s)
	check "$title: the client sends $n probes" \
		sh -c "ip netns exec cl steer_probe <'$W/probes'"
	diag "$title: sending $n probes took $(($(date +%s) - start)) s"
	# The last probes may still be on their way through the port.
	for i in $(seq 50); do
		counts_since "$W/before" >"$W/actual"
		cmp -s "$W/expected" "$W/actual" && break
		sleep 0.1
	done
	check_eq "$title: no probe was dropped by the link" "$before_drops" "$(veth_tx_dropped)"
	check_counts "$title: each tenant counted exactly the probes aimed at it" \
		"$(grep -v '^0 ' "$W/expected")" "$(grep -v '^0 ' "$W/actual")"
	check_counts "$title: the host got exactly the probes aimed at no (live) rule" \
		"$(grep '^0 ' "$W/expected")" "$(grep '^0 ' "$W/actual")"
}

# check_counts DESCRIPTION EXPECTED ACTUAL: like check_eq for the lines of
# expected_counts, showing only the tenants whose counts differ.
check_counts() {
	if [ "$2" = "$3" ]; then
		ok "$1"
		return
	fi
	not_ok "$1"
	diag "packets, default drops, passes:"
	printf '%s\n' "$2" >"$W/diff.expected"
	printf '%s\n' "$3" | awk '
		FILENAME == ARGV[1] { want[$1] = $2 " " $3 " " $4; next }
		{ got[$1] = $2 " " $3 " " $4 }
		END {
			for (t in want)
				if (!(t in got))
					got[t] = "none"
			for (t in got) {
				w = t in want ? want[t] : "none"
				if (w != got[t])
					print t, w " | " got[t]
			}
		}' "$W/diff.expected" - | sort -n | head -n 20 |
		sed 's/^\([0-9]*\) \(.*\) | \(.*\)/# tenant \1: expected \2, got \3/'
}

# The client's link: frames veth drops instead of handing them to the port.
veth_tx_dropped() {
	ip -n cl -s -j link show cl0 | jq '.[0].stats64.tx.dropped'
}

# chamctl_batch FILE OUT: runs chamctl's commands in FILE, printing their
# output to OUT; one chamctl process each when chamctl has no -batch.
chamctl_batch() {
	if chamctl --help | grep -q -- '-batch'; then
		chamctl -b "$1" >"$2"
		return
	fi
	diag "chamctl has no -batch: one process per command"
	: >"$2"
	# shellcheck disable=SC2086 # the words are the command
	while read -r line; do
		chamctl $line >>"$2" || return 1
	done <"$1"
}

# ask_echo MESSAGE: for each "ADDR PORT" line on stdin, the client sends
# MESSAGE from a connected UDP socket of the kernel (bash's /dev/udp), so
# only an answer from ADDR PORT is received; prints "ADDR PORT ANSWER",
# ANSWER "-" if none came within 2 seconds.
ask_echo() {
	ip netns exec cl bash -c '
		while read -r addr port; do
			exec 3<>"/dev/udp/$addr/$port" || { echo "$addr $port -"; continue; }
			printf "%s" "$1" >&3
			answer=$(timeout 2 head -c ${#1} <&3)
			exec 3<&-
			echo "$addr $port ${answer:--}"
		done' _ "$1"
}

# check_answers DESCRIPTION EXPECTED ADDRESSES ANSWERS: every line of
# ANSWERS (from ask_echo on ADDRESSES) has answer EXPECTED.
check_answers() {
	local what="$1" want="$2" asked="$3" answers="$4" n good
	n=$(wc -l <"$asked")
	good=$(awk -v want="$want" '$3 == want' "$answers" | wc -l)
	if [ "$n" -gt 0 ] && [ "$good" = "$n" ]; then
		ok "$what ($n addresses and ports)"
	else
		not_ok "$what ($good of $n)"
		awk -v want="$want" '$3 != want' "$answers" | head -n 10 | sed 's/^/# /'
	fi
}

load_module
reset_state
setup_net
mkdir -p "$PIN"
# The client's IPv6 stack would keep soliciting routers now and then:
# frames the unclassified counter would count.
ip netns exec cl sh -c 'echo 0 >/proc/sys/net/ipv6/conf/cl0/router_solicitations'
# The probes' destinations are behind the host.
ip -n cl route add 10.0.0.0/8 via $HOST4
ip -n cl -6 route add fd70::/16 via $HOST6
check "port attach cham0" chamctl port attach cham0

steering_layout >"$W/layout"
: >"$W/gone_rules"
: >"$W/gone_tenants"
check_eq "the layout has $RULES rules" $RULES "$(grep -c '^R' "$W/layout")"

# ---- 4,096 rules of 64 tenants ----------------------------------------------

t=1
while [ $t -le $TENANTS ]; do
	if [ $((t % PASS_EVERY)) -eq 0 ]; then
		echo "tenant add s$t id $t default pass"
	else
		echo "tenant add s$t id $t default drop"
	fi
	t=$((t + 1))
done >"$W/tenants.batch"
check "$TENANTS tenants added" chamctl_batch "$W/tenants.batch" /dev/null

awk '$1 == "R" { $1 = ""; $2 = "rule add s" $3; $3 = ""; print }' "$W/layout" >"$W/rules.batch"
start=$(date +%s)
check "$RULES rules added" chamctl_batch "$W/rules.batch" "$W/rule_ids"
diag "adding $RULES rules took $(($(date +%s) - start)) s"
# "INDEX ID" per rule, from the "rule ID" chamctl printed for each line.
awk '$1 == "rule" { print n++, $2 }' "$W/rule_ids" >"$W/ids"
check_eq "every rule got an id" $RULES "$(wc -l <"$W/ids")"
check_eq "the kernel lists $RULES rules" $RULES "$(chamctl -j rule show | jq length)"
check_eq "... of $TENANTS tenants, $((RULES / TENANTS)) each" \
	"$TENANTS $((RULES / TENANTS))" \
	"$(chamctl -j rule show | jq -r 'group_by(.tenant_id) | "\(length) \(map(length) | unique | join(","))"')"

send_probes all "$RULES rules"

# ---- overlaps across tenants are refused at scale ----------------------------

# check_overlap DESCRIPTION INDEX TENANT ARGS...: TENANT's rule ARGS
# overlaps rule INDEX only (another tenant's): EEXIST naming that rule.
check_overlap() {
	local what="$1" index="$2" tenant="$3"
	shift 3
	check_errno "$what: refused, naming rule $(rule_id "$index")" \
		"File exists (rule overlaps rule $(rule_id "$index") of tenant s$(tenant_of "$index"))" \
		chamctl rule add "s$tenant" "$@"
}
# other_than INDEX: a tenant that is not rule INDEX's.
other_than() { echo $((1 + ($1 + 1) % TENANTS)); }

# Rule indices by the layout's blocks: 777 an IPv4 host and port; 1620
# 10.2.0.11 udp 21000-21049 (a range with gaps); 1622 the same host, any
# protocol, 21200-21249; 2248 10.3.100.0/24 udp 8000-8999 and 2249 the
# host 10.3.100.7 udp 9000 in it; 2562 10.130.0.0/16 icmp (10.131/16 next
# to it is tcp 443); 3000 an IPv6 host and port; 3989 fd70:3:0:a::7/128
# udp 7000-7099 inside 3988's /64 on 6000-6999.
# shellcheck disable=SC2046 # the rule's words
check_overlap "the same IPv4 host, protocol and port" 777 "$(other_than 777)" $(rule_args 777)
# shellcheck disable=SC2046 # the rule's words
check_overlap "the same IPv6 host, protocol and port" 3000 "$(other_than 3000)" $(rule_args 3000)
check_overlap "a /24 containing another tenant's host" 2249 "$(other_than 2249)" \
	dst 10.3.100.0/24 proto udp dport 9000
check_overlap "a host inside another tenant's /24" 2248 "$(other_than 2248)" \
	dst 10.3.100.9 proto udp dport 8100
check_overlap "a /15 containing another tenant's /16" 2562 "$(other_than 2562)" \
	dst 10.130.0.0/15 proto icmp
check_overlap "an IPv6 /64 containing another tenant's /128" 3989 "$(other_than 3989)" \
	dst fd70:3:0:a::/64 proto udp dport 7050
check_overlap "a port range crossing another tenant's" 1620 "$(other_than 1620)" \
	dst 10.2.0.11 proto udp dport 21040-21060
check_overlap "a tcp range crossing another tenant's range of any protocol" 1622 \
	"$(other_than 1622)" dst 10.2.0.11 proto tcp dport 21249-21260
check_eq "refused rules changed nothing" $RULES "$(chamctl -j rule show | jq length)"

# Accepted: another tenant's range exactly in a gap, touching both
# neighbours; a tenant's rules overlapping its own. Each is deleted again
# by id, as it would take probes aimed at no rule.
# check_add_del DESCRIPTION TENANT ARGS...
check_add_del() {
	local what="$1" out
	shift
	if out=$(chamctl rule add "$@" 2>&1); then
		ok "$what"
		check_eq "... $((RULES + 1)) rules" $((RULES + 1)) "$(chamctl -j rule show | jq length)"
		check "... deleted again by id (${out#rule })" chamctl rule del "${out#rule }"
	else
		not_ok "$what"
		diag "$out"
	fi
}
check_add_del "another tenant's range exactly filling a gap (21050-21099)" \
	"s$(other_than 1620)" dst 10.2.0.11 proto udp dport 21050-21099
check_add_del "a tenant's host inside its own /24" \
	"s$(tenant_of 2248)" dst 10.3.100.9 proto udp dport 8100
check_add_del "a tenant's range crossing its own" \
	"s$(tenant_of 1620)" dst 10.2.0.11 proto udp dport 21040-21060
check_add_del "a tenant's /15 containing its own /16" \
	"s$(tenant_of 2562)" dst 10.130.0.0/15 proto icmp
check_eq "$RULES rules again" $RULES "$(chamctl -j rule show | jq length)"

# ---- deleting rules re-steers their probes, and only theirs ------------------

# Every 41st rule, in every block, by id; then a whole tenant.
awk '$1 % 41 == 3' "$W/ids" >"$W/deleted_ids"
awk '{ print $1 }' "$W/deleted_ids" >"$W/gone_rules"
awk '{ print "rule del", $2 }' "$W/deleted_ids" >"$W/del.batch"
ndel=$(wc -l <"$W/del.batch")
check "$ndel rules deleted by id" chamctl_batch "$W/del.batch" /dev/null
check "tenant s$GONE_TENANT deleted with its rules" chamctl tenant del s$GONE_TENANT
echo $GONE_TENANT >"$W/gone_tenants"
left=$(awk -v tenants=$TENANTS -v gone=$GONE_TENANT '
	FILENAME == ARGV[1] { del[$1] = 1; next }
	$1 == "R" && !($2 in del) && $3 != gone { n++ }
	END { print n }' "$W/gone_rules" "$W/layout")
check_eq "the kernel lists the $left rules left" "$left" "$(chamctl -j rule show | jq length)"
check_eq "... none of them s$GONE_TENANT's" 0 \
	"$(chamctl -j rule show | jq "map(select(.tenant_id == $GONE_TENANT)) | length")"

send_probes deleted "deleted rules"
send_probes kept "rules left"

# ---- egress validation: udp_echo behind rules among the 4,096 ---------------

E=$ECHO_TENANT
check "udp_echo loads for s$E" chamctl proto load "$BPF/udp_echo.bpf.o" tenant s$E
# Every UDP probe aimed at one of s$E's live rules: exact hosts, ranges,
# the /24 with another tenant's host inside, /16 and /64 of any protocol,
# IPv6 hosts.
awk -v tenants=$TENANTS -v e=$E '
	FILENAME == ARGV[1] { gone[$1] = 1; next }
	$1 == "P" && $2 >= 0 && 1 + $2 % tenants == e && $3 == "udp" {
		print ($2 in gone ? "dead" : "alive"), $4, $5
	}' "$W/gone_rules" "$W/layout" >"$W/echo_probes"
awk '$1 == "alive" { print $2, $3 }' "$W/echo_probes" >"$W/echo_asks"
awk '$1 == "dead" { print $2, $3 }' "$W/echo_probes" | head -n 3 >"$W/echo_dead"
before=$(chamctl -j stats s$E)
ask_echo steer-echo <"$W/echo_asks" >"$W/echo_answers"
check_answers "s$E echoes from the address and port asked" steer-echo \
	"$W/echo_asks" "$W/echo_answers"
nasks=$(wc -l <"$W/echo_asks")
check_eq "s$E: every question was a tx verdict" "$nasks" \
	"$(counter_delta "$before" s$E .verdicts.tx)"
check_eq "s$E: no answer was dropped as spoofed" 0 \
	"$(counter_delta "$before" s$E .drops.spoofed_source)"
if [ -s "$W/echo_dead" ]; then
	ask_echo steer-echo <"$W/echo_dead" >"$W/echo_dead_answers"
	check_answers "no echo from s$E's deleted rules' addresses" - \
		"$W/echo_dead" "$W/echo_dead_answers"
fi
check_accounting s$E

# ---- the native baseline (module parameter native_tenant) --------------------

if [ ! -e "$NATIVE_PARAM" ]; then
	echo "SKIP: native baseline: the module has no parameter native_tenant"
else
	# A dozen of s$E's addresses and ports, IPv6 ones among them.
	head -n 8 "$W/echo_asks" >"$W/native_asks"
	grep : "$W/echo_asks" | head -n 4 >>"$W/native_asks"
	nasks=$(wc -l <"$W/native_asks")

	check "native_tenant = $E" sh -c "echo $E >$NATIVE_PARAM"
	check_eq "native_tenant reads back $E" $E "$(cat $NATIVE_PARAM)"
	before=$(chamctl -j stats s$E)
	ask_echo native-echo <"$W/native_asks" >"$W/native_answers"
	check_answers "native: s$E echoes from the address and port asked" native-echo \
		"$W/native_asks" "$W/native_answers"
	check_eq "native: handler calls counted" "$nasks" \
		"$(counter_delta "$before" s$E .handler_calls)"
	check_eq "native: tx verdicts counted" "$nasks" \
		"$(counter_delta "$before" s$E .verdicts.tx)"
	check_eq "native: no answer dropped as spoofed" 0 \
		"$(counter_delta "$before" s$E .drops.spoofed_source)"
	check_accounting s$E

	# The native code drops a datagram with a bad UDP checksum, as
	# udp_echo does (crafted frames to $HOST4 port 9).
	chamctl rule add s$E dst $HOST4/32 proto udp dport 9 >/dev/null
	before=$(chamctl -j stats s$E)
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)" ipv4-udp
	check_eventually_eq "native: a well-formed crafted datagram is echoed" 1 \
		counter_delta "$before" s$E .verdicts.tx
	before=$(chamctl -j stats s$E)
	ip netns exec cl cham_frames send cl0 "$(mac_of "" cham0)" ipv4-udp-bad-checksum
	check_eventually_eq "native: the bad-checksum datagram reaches the handler" 1 \
		counter_delta "$before" s$E .handler_calls
	check_eq "native: the bad-checksum datagram is dropped, not echoed" "0 1" \
		"$(counter_delta "$before" s$E .verdicts.tx) $(counter_delta "$before" s$E .verdicts.drop)"

	# The native echo runs instead of whatever protocol is registered:
	# with udp_upper (which answers in capitals) the answer is still the
	# plain echo, and udp_upper's again once native_tenant is 0.
	check "udp_upper replaces udp_echo for s$E" \
		chamctl proto replace s$E "$BPF/udp_upper.bpf.o"
	ask_echo native-echo <"$W/native_asks" >"$W/native_answers"
	check_answers "native over udp_upper: still the plain echo" native-echo \
		"$W/native_asks" "$W/native_answers"
	check "native_tenant = 0" sh -c "echo 0 >$NATIVE_PARAM"
	before=$(chamctl -j stats s$E)
	ask_echo bpf-again <"$W/native_asks" >"$W/native_answers"
	check_answers "native_tenant 0: udp_upper answers again" BPF-AGAIN \
		"$W/native_asks" "$W/native_answers"
	check_eq "native_tenant 0: handler calls counted" "$nasks" \
		"$(counter_delta "$before" s$E .handler_calls)"

	# Naming a tenant without a protocol (s$((E + 1)), which drops by
	# default) changes nothing: its default applies.
	N=$((E + 1))
	awk -v tenants=$TENANTS -v n=$N '
		FILENAME == ARGV[1] { gone[$1] = 1; next }
		$1 == "P" && $2 >= 0 && !($2 in gone) && 1 + $2 % tenants == n &&
			$3 == "udp" { print $3, $4, $5 }' \
		"$W/gone_rules" "$W/layout" >"$W/plain_probes"
	check "native_tenant = $N (s$N has no protocol)" sh -c "echo $N >$NATIVE_PARAM"
	before=$(chamctl -j stats s$N)
	ip netns exec cl steer_probe <"$W/plain_probes"
	check_eventually_eq "native_tenant $N: s$N still drops by default" \
		"$(wc -l <"$W/plain_probes")" counter_delta "$before" s$N .drops.default
	check_eq "native_tenant $N: no handler ran, nothing was sent" "0 0" \
		"$(counter_delta "$before" s$N .handler_calls) $(counter_delta "$before" s$N .verdicts.tx)"
	echo 0 >"$NATIVE_PARAM"
fi

# ---- the direct call: rx without the struct_ops trampoline ---------------------
#
# With direct_call on (the default), the fast path calls the rx program
# itself: the program's own run statistics (kernel.bpf_stats_enabled),
# which only the trampoline keeps, do not move while the module's
# handler_calls do. With it off, the trampoline runs and counts too. Both
# answer the same.
DIRECT=/sys/module/chamelio/parameters/direct_call
check "udp_echo for s$E again" chamctl proto replace s$E "$BPF/udp_echo.bpf.o"
rx_prog=$(chamctl -j tenant show s$E |
	jq -r '.proto.handlers[] | select(.name == "rx") | .prog_id')
run_cnt() { bpftool -j prog show id "$rx_prog" | jq '.run_cnt // 0'; }
head -n 8 "$W/echo_asks" >"$W/direct_asks"
ndirect=$(wc -l <"$W/direct_asks")
sysctl -qw kernel.bpf_stats_enabled=1
for mode in 1 0; do
	echo $mode >"$DIRECT"
	before=$(chamctl -j stats s$E)
	runs=$(run_cnt)
	ask_echo direct-$mode <"$W/direct_asks" >"$W/direct_answers"
	check_answers "direct_call $mode: s$E echoes" direct-$mode \
		"$W/direct_asks" "$W/direct_answers"
	check_eq "direct_call $mode: handler calls counted" "$ndirect" \
		"$(counter_delta "$before" s$E .handler_calls)"
	# The trampoline counts the runs; the direct call does not.
	check_eq "direct_call $mode: the program's run_cnt moved by" \
		"$(( mode ? 0 : ndirect ))" "$(( $(run_cnt) - runs ))"
done
echo 1 >"$DIRECT"
sysctl -qw kernel.bpf_stats_enabled=0

rm -rf "$W"
reset_state
finish
