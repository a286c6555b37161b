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
check "deleting a tenant deletes its rules" chamctl tenant del alpha
check_eq "only beta's rule is left" beta "$(chamctl -j rule show | jq -r '.[].tenant')"
check_fails "chamctl rejects a malformed prefix before the kernel" \
	chamctl rule add beta dst 10.1.2.300
check_fails "chamctl: unknown command" chamctl tenant frobnicate
for cmd in "tenant add" "tenant del" "tenant show" "rule add" "rule del" \
	"rule show" "port attach" "port detach" "port show" "stats" \
	"proto load" "proto unload" "proto show"; do
	# shellcheck disable=SC2086 # the words are the command
	check "chamctl $cmd --help: usage on stdout, exit 0" sh -c \
		'out=$(chamctl $1 --help 2>/tmp/help.err) && [ ! -s /tmp/help.err ] &&
		 printf "%s" "$out" | grep -q "^Usage: chamctl $1"' _ "$cmd"
done
reset_state
finish
