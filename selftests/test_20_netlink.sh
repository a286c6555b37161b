#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad netlink input is refused with an errno and an extack message and
# changes nothing (selftests/nl_bad_input.c); chamctl reports refusals.
. ./lib.sh

load_module
reset_state

# Its checks are counted by run.sh; a crash part-way must count too.
"$CHAM/selftests/nl_bad_input" || not_ok "nl_bad_input exited with status $?"

chamctl tenant add alpha id 1 >/dev/null
out=$(chamctl tenant add alpha id 2 2>&1)
check "chamctl: refusal exits non-zero" test $? -ne 0
check "chamctl: refusal prints the kernel's extack message" \
	sh -c 'printf "%s" "$1" | grep -q "a tenant with this name exists"' _ "$out"
chamctl tenant add beta id 2 >/dev/null
chamctl rule add alpha dst 10.1.0.0/16 proto udp dport 100-200 >/dev/null
out=$(chamctl rule add beta dst 10.1.2.3 proto any 2>&1)
check "chamctl: overlapping rule refused with the rule it overlaps" \
	sh -c 'printf "%s" "$1" | grep -q "overlaps rule .* of tenant alpha"' _ "$out"
check "rules of different tenants that do not overlap are accepted" \
	chamctl rule add beta dst 10.1.2.3 proto udp dport 201-300
check "the same tenant may overlap itself" \
	chamctl rule add alpha dst 10.1.0.0/24 proto udp dport 150
check_eq "rule dump lists all three" 3 "$(chamctl -j rule show | jq length)"
# Strict rules, as ip route is: no second copy, no host bits.
dup=$(chamctl -j rule show | jq '.[] | select(.tenant == "beta") | .id')
check_errno "an exact duplicate rule is refused (EEXIST)" "File exists" \
	chamctl rule add beta dst 10.1.2.3 proto udp dport 201-300
check "... and the refusal names the rule it duplicates" sh -c \
	'chamctl rule add beta dst 10.1.2.3/32 proto udp dport 201-300 2>&1 |
	 grep -q "tenant beta has this rule: rule $1"' _ "$dup"
check_errno "host bits beyond the prefix are refused (EINVAL)" "Invalid argument" \
	chamctl rule add beta dst 10.77.0.1/8 proto udp
check "... with the network meant" sh -c \
	'chamctl rule add beta dst 10.77.0.1/8 2>&1 | grep -q "host bits set: the network is 10.0.0.0/8"'
check "... in IPv6 too" sh -c \
	'chamctl rule add beta dst fd00:77::1/64 2>&1 | grep -q "host bits set: the network is fd00:77::/64"'
check "... and in a tenant's sources" sh -c \
	'chamctl tenant set beta source 192.0.2.1/24 2>&1 | grep -q "host bits set: the network is 192.0.2.0/24"'
check_eq "nothing was added" 3 "$(chamctl -j rule show | jq length)"
check "deleting a tenant deletes its rules" chamctl tenant del alpha
check_eq "only beta's rule is left" beta "$(chamctl -j rule show | jq -r '.[].tenant')"
check_fails "chamctl rejects a malformed prefix before the kernel" \
	chamctl rule add beta dst 10.1.2.300
check_fails "chamctl: unknown command" chamctl tenant frobnicate
for cmd in "tenant add" "tenant del" "tenant show" "rule add" "rule del" \
	"rule show" "port attach" "port detach" "port show" "stats" \
	"proto load" "proto replace" "proto unload" "proto show"; do
	# shellcheck disable=SC2086 # the words are the command
	check "chamctl $cmd --help: usage on stdout, exit 0" sh -c \
		'out=$(chamctl $1 --help 2>/tmp/help.err) && [ ! -s /tmp/help.err ] &&
		 printf "%s" "$out" | grep -q "^Usage: chamctl $1"' _ "$cmd"
done

# ---- time protection: tenant knobs and global settings ----------------------

# tknob TENANT JQ-PATH: one field of `chamctl -j tenant show TENANT`.
tknob() {
	chamctl -j tenant show "$1" | jq -c "$2"
}
# cfg JQ-PATH: one field of `chamctl -j config show`.
cfg() {
	chamctl -j config show | jq -c "$1"
}
# check_usage DESCRIPTION COMMAND...: chamctl refuses COMMAND line as a
# usage error (exit status 2) with a message, before asking the kernel.
check_usage() {
	local what="$1" status
	shift
	"$@" >/tmp/usage.out 2>/tmp/usage.err
	status=$?
	check_eq "$what: exit status 2" 2 "$status"
	if [ "$status" = 2 ] && [ -s /tmp/usage.err ]; then
		diag "$(head -n1 /tmp/usage.err)"
	fi
}

check "tenant add with default budget" chamctl tenant add tp id 10
check_eq "defaults: share 100%, burst 1000us, policy drop, ecn threshold 50%" \
	'[100,1000,"drop",50]' "$(tknob tp '[.share, .burst_us, .policy, .ecn_threshold]')"
check_eq "defaults: accounting and enforcement on" \
	'[true,true]' "$(tknob tp '[.accounting, .enforcement]')"
check_eq "defaults: ceiling 10 ms, eject after 16, no insn limit, no ejections" \
	'[10000000,16,0,0]' "$(tknob tp '[.ceiling_ns, .eject_after, .insn_limit, .ejections]')"
check_eq "defaults: no protocol" null "$(tknob tp .proto)"

check "tenant add with every knob" chamctl tenant add tq id 11 share 12.5% \
	burst 2ms policy ecn ecn-threshold 80% accounting off enforcement off \
	ceiling 20us eject-after 3 insn-limit 1000
check_eq "tenant add: share 12.5%, burst 2ms, policy ecn, threshold 80%" \
	'[12.5,2000,"ecn",80]' "$(tknob tq '[.share, .burst_us, .policy, .ecn_threshold]')"
check_eq "tenant add: accounting and enforcement off" \
	'[false,false]' "$(tknob tq '[.accounting, .enforcement]')"
check_eq "tenant add: ceiling 20us, eject after 3, insn limit 1000" \
	'[20000,3,1000,0]' "$(tknob tq '[.ceiling_ns, .eject_after, .insn_limit, .ejections]')"
check_eq "tenant add: the id and name are as given" '[11,"tq"]' "$(tknob 11 '[.id, .name]')"

before=$(chamctl -j tenant show tp)
check "tenant set by name: share 25%" chamctl tenant set tp share 25%
check_eq "tenant set: share read back" 25 "$(tknob tp .share)"
check_eq "tenant set: the other knobs are unchanged" \
	"$(printf '%s' "$before" | jq -c 'del(.share)')" "$(tknob tp 'del(.share)')"
check "tenant set by id: burst 500us, policy ecn, threshold 10%" \
	chamctl tenant set 10 burst 500us policy ecn ecn-threshold 10%
check_eq "tenant set by id: read back" '[25,500,"ecn",10]' \
	"$(tknob tp '[.share, .burst_us, .policy, .ecn_threshold]')"
check "tenant set: accounting off, enforcement off" \
	chamctl tenant set tp accounting off enforcement off
check_eq "tenant set: accounting and enforcement read back" \
	'[false,false]' "$(tknob tp '[.accounting, .enforcement]')"
check "tenant set: ceiling 1s, eject-after 4294967295, insn-limit 1" \
	chamctl tenant set tp ceiling 1s eject-after 4294967295 insn-limit 1
check_eq "tenant set: limits read back" '[1000000000,4294967295,1]' \
	"$(tknob tp '[.ceiling_ns, .eject_after, .insn_limit]')"
check "tenant set: ceiling none, eject-after never, insn-limit none" \
	chamctl tenant set tp ceiling none eject-after never insn-limit none
check_eq "tenant set: no limits read back as 0" '[0,0,0]' \
	"$(tknob tp '[.ceiling_ns, .eject_after, .insn_limit]')"
# The ends of each range.
check "tenant set: smallest share, burst and ceiling (0.01%, 1us, 1ns)" \
	chamctl tenant set tp share 0.01% burst 1us ceiling 1ns ecn-threshold 0%
check_eq "tenant set: smallest values read back" '[0.01,1,1,0]' \
	"$(tknob tp '[.share, .burst_us, .ceiling_ns, .ecn_threshold]')"
check "tenant set: largest share and burst (100%, 1s), threshold 100%" \
	chamctl tenant set tp share 100% burst 1s ecn-threshold 100%
check_eq "tenant set: largest values read back" '[100,1000000,100]' \
	"$(tknob tp '[.share, .burst_us, .ecn_threshold]')"
check "tenant set: the last of several changes wins, others kept" \
	chamctl tenant set tp policy drop accounting on enforcement on share 50
check_eq "tenant set: read back" '[50,1000000,"drop",100,true,true]' \
	"$(tknob tp '[.share, .burst_us, .policy, .ecn_threshold, .accounting, .enforcement]')"
check_eq "tenant set of one tenant leaves the other alone" \
	'[12.5,2000,"ecn",80,false,false,20000,3,1000]' \
	"$(tknob tq '[.share, .burst_us, .policy, .ecn_threshold, .accounting, .enforcement, .ceiling_ns, .eject_after, .insn_limit]')"
check "human tenant show prints the budget" \
	sh -c 'chamctl tenant show tq | grep -q "12.5%"'
chamctl tenant show tq | sed 's/^/# /'

# Command lines chamctl refuses itself; the tenant stays as it was.
before=$(chamctl -j tenant show tp)
check_usage "chamctl: share 0%" chamctl tenant set tp share 0%
check_usage "chamctl: share 101%" chamctl tenant set tp share 101%
check_usage "chamctl: share with three decimals (0.005%)" chamctl tenant set tp share 0.005%
check_usage "chamctl: share -5%" chamctl tenant set tp share -5%
check_usage "chamctl: burst 5 without a unit" chamctl tenant set tp burst 5
check_usage "chamctl: burst 0us" chamctl tenant set tp burst 0us
check_usage "chamctl: burst 2s" chamctl tenant set tp burst 2s
check_usage "chamctl: burst 1500ns (not whole microseconds)" chamctl tenant set tp burst 1500ns
check_usage "chamctl: policy foo" chamctl tenant set tp policy foo
check_usage "chamctl: ecn-threshold 101%" chamctl tenant set tp ecn-threshold 101%
check_usage "chamctl: accounting maybe" chamctl tenant set tp accounting maybe
check_usage "chamctl: ceiling 2s" chamctl tenant set tp ceiling 2s
check_usage "chamctl: ceiling 0ns" chamctl tenant set tp ceiling 0ns
check_usage "chamctl: eject-after -1" chamctl tenant set tp eject-after -1
check_usage "chamctl: insn-limit 4294967296" chamctl tenant set tp insn-limit 4294967296
check_usage "chamctl: a knob given twice" chamctl tenant set tp share 10% share 20%
check_usage "chamctl: a knob without its value" chamctl tenant set tp share
check_usage "chamctl: tenant set with no knob" chamctl tenant set tp
check_usage "chamctl: ejections is read-only" chamctl tenant set tp ejections 0
check_usage "chamctl: tenant add with share 0%" chamctl tenant add tr id 12 share 0%
check_usage "chamctl: tenant add with policy foo" chamctl tenant add tr id 12 policy foo
check_eq "refused command lines changed nothing" "$before" "$(chamctl -j tenant show tp)"
check_fails "refused tenant add created nothing" chamctl tenant show tr
out=$(chamctl tenant set nosuch share 10% 2>&1)
check "chamctl: tenant set of an unknown tenant fails" test $? -eq 1
check "chamctl: ... with the kernel's message" \
	sh -c 'printf "%s" "$1" | grep -qi "tenant"' _ "$out"
diag "$out"

# Global settings.
check_eq "config defaults: accounting, enforcement on, contention 10000us" \
	'[true,true,10000]' "$(cfg '[.accounting, .enforcement, .contention_us]')"
check "config: the cycle counter rate is known" test "$(cfg .tsc_khz)" -gt 0
check "config set: contention 500us" chamctl config set contention 500us
check_eq "config set: contention read back" 500 "$(cfg .contention_us)"
check "config set: enforcement off" chamctl config set enforcement off
check_eq "config set: only enforcement changed" '[true,false,500]' \
	"$(cfg '[.accounting, .enforcement, .contention_us]')"
check "config set: accounting off, contention 1s" chamctl config set accounting off contention 1s
check_eq "config set: read back" '[false,false,1000000]' \
	"$(cfg '[.accounting, .enforcement, .contention_us]')"
check "config set: smallest contention, 1us" chamctl config set contention 1us
check_eq "config set: 1us read back" 1 "$(cfg .contention_us)"
before=$(chamctl -j config show)
check_usage "chamctl: config set contention 0us" chamctl config set contention 0us
check_usage "chamctl: config set contention 2s" chamctl config set contention 2s
check_usage "chamctl: config set contention 5 without a unit" chamctl config set contention 5
check_usage "chamctl: config set enforcement maybe" chamctl config set enforcement maybe
check_usage "chamctl: config set tsc-khz is read-only" chamctl config set tsc-khz 1000
check_usage "chamctl: config set with nothing" chamctl config set
check_eq "refused config changes changed nothing" "$before" "$(chamctl -j config show)"
check "config set: back to the defaults" \
	chamctl config set accounting on enforcement on contention 10ms
check_eq "config: defaults again" '[true,true,10000]' \
	"$(cfg '[.accounting, .enforcement, .contention_us]')"
check "human config show prints the settings" \
	sh -c 'chamctl config show | grep -q contention'
chamctl config show | sed 's/^/# /'
check_usage "chamctl: monitor count 0" chamctl monitor count 0
check_usage "chamctl: monitor count x" chamctl monitor count x

# ---- the slow path: knobs, counters and chamctl agent ------------------------

check_eq "slow-path defaults: punt queue 256, 64 timers, none armed, no agent" \
	'[256,64,0,null]' "$(tknob tp '[.punt_queue, .timers_max, .timers_armed, .agent_portid]')"
check "tenant add with slow-path knobs" chamctl tenant add ts id 13 punt-queue 1 timers 0
check_eq "tenant add: punt queue 1 and timers 0 read back" '[1,0]' \
	"$(tknob ts '[.punt_queue, .timers_max]')"
before=$(chamctl -j tenant show tp)
check "tenant set: the largest punt queue and timer limit" \
	chamctl tenant set tp punt-queue 65536 timers 65536
check_eq "tenant set: punt queue and timers read back" '[65536,65536]' \
	"$(tknob tp '[.punt_queue, .timers_max]')"
check_eq "tenant set: the other knobs are unchanged" \
	"$(printf '%s' "$before" | jq -c 'del(.punt_queue, .timers_max)')" \
	"$(tknob tp 'del(.punt_queue, .timers_max)')"
check "human tenant show prints the slow path" \
	sh -c 'chamctl tenant show tp | grep -q "punt-queue 65536 timers 65536" &&
	       chamctl tenant show tp | grep -q "agent none timers-armed 0"'
chamctl tenant show tp | sed 's/^/# /'
before=$(chamctl -j tenant show tp)
check_usage "chamctl: punt-queue 0" chamctl tenant set tp punt-queue 0
check_usage "chamctl: punt-queue 65537" chamctl tenant set tp punt-queue 65537
check_usage "chamctl: timers 65537" chamctl tenant set tp timers 65537
check_usage "chamctl: timers -1" chamctl tenant set tp timers -1
check_usage "chamctl: timers-armed is read-only" chamctl tenant set tp timers-armed 0
check_usage "chamctl: agent is read-only" chamctl tenant set tp agent 5
check_usage "chamctl: tenant add with punt-queue 0" chamctl tenant add tr id 12 punt-queue 0
check_eq "refused slow-path knobs changed nothing" "$before" "$(chamctl -j tenant show tp)"

check_eq "stats JSON has the slow path's counters, all 0" '[0,0,0,0,0,0,0,0,0,0]' \
	"$(chamctl -j stats tp | jq -c '[.punt_delivered, .punt_lost, .punt_cycles,
		.events_delivered, .events_lost, .timer_calls, .timer_cycles,
		.msg_calls, .msg_cycles, .injected]')"
check_eq "stats JSON names the slow path's drop reasons" '[0,0,0]' \
	"$(chamctl -j stats tp | jq -c '[.drops.no_agent, .drops.punt_queue_full, .drops.fragment_ambiguous]')"

out=$(chamctl agent msg tp 1 str hello 2>&1)
check_eq "chamctl agent msg to a tenant without protocol: exit status 1" 1 $?
check "chamctl agent msg: the kernel's errno and message" \
	sh -c 'printf "%s" "$1" | grep -q "No such file or directory (.*tenant has no protocol)"' _ "$out"
diag "$out"
out=$(chamctl agent msg nosuch 1 2>&1)
check "chamctl agent msg to an unknown tenant: no such tenant" \
	sh -c 'printf "%s" "$1" | grep -q "no such tenant"' _ "$out"
# An Ethernet header of ARP and 6 more bytes: no IP to parse.
out=$(chamctl agent inject tp port lo hex 020000000099000000000000080600010800 2>&1)
check_eq "chamctl agent inject of a frame that does not parse: exit status 1" 1 $?
check "chamctl agent inject: the kernel's errno and message" \
	sh -c 'printf "%s" "$1" | grep -q "Invalid argument (.*frame does not parse"' _ "$out"
diag "$out"
check_usage "chamctl: agent msg without TYPE" chamctl agent msg tp
check_usage "chamctl: agent msg with 1025 bytes" chamctl agent msg tp 1 str "$(printf '%1025s' x)"
check_usage "chamctl: agent msg with odd hex" chamctl agent msg tp 1 data abc
check_usage "chamctl: agent inject without a target" chamctl agent inject tp hex 00112233445566778899aabbccdd
check_usage "chamctl: agent inject to a port and a guest" \
	chamctl agent inject tp port lo guest 1 hex 00112233445566778899aabbccdd
check_usage "chamctl: agent inject of 13 bytes" chamctl agent inject tp port lo hex 00112233445566778899aabbcc
check_eq "stats: nothing was injected, no handler was called" '[0,0]' \
	"$(chamctl -j stats tp | jq -c '[.injected, .msg_calls]')"

# chamctl agent msg's result, from the slowpath_msg handler of
# selftests/progs/slowpath.bpf.c: type 1 returns the message's length,
# an unknown type -EOPNOTSUPP.
chamctl tenant add alpha id 1 >/dev/null
if check "load the slowpath test protocol for alpha" \
	chamctl proto load "$CHAM/selftests/progs/slowpath.bpf.o" tenant alpha; then
	check_eq "chamctl agent msg: the handler's result" "result 5" \
		"$(chamctl agent msg alpha 1 str hello 2>&1)"
	check_eq "chamctl agent msg: hex data, flow, JSON" '{"result":3}' \
		"$(chamctl -j agent msg alpha 1 flow 7 data 0a:1b:2c 2>&1)"
	check_eq "chamctl agent msg: a negative result" '{"result":-95}' \
		"$(chamctl -j agent msg alpha 99 2>&1)"
	check_eq "stats: three slowpath_msg calls, their cycles counted" '[3,true]' \
		"$(chamctl -j stats alpha | jq -c '[.msg_calls, .msg_cycles > 0]')"
	chamctl proto unload alpha >/dev/null
fi

for cmd in "tenant set" "config show" "config set" "monitor" "agent msg" \
	"agent inject"; do
	# shellcheck disable=SC2086 # the words are the command
	check "chamctl $cmd --help: usage on stdout, exit 0" sh -c \
		'out=$(chamctl $1 --help 2>/tmp/help.err) && [ ! -s /tmp/help.err ] &&
		 printf "%s" "$out" | grep -q "^Usage: chamctl $1"' _ "$cmd"
done
reset_state
finish
