#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every change is a notification on the events group, whoever makes it (a
# chamctl command, a struct_ops link, a device going away, an agent's
# socket closing), with the attributes of the object's show: chamctl
# monitor prints each as it happens, -j one JSON object per line, and can
# be limited to some objects.
. ./lib.sh

load_module
reset_state
setup_net
M=/tmp/monitor24.out
ip netns add gm

# nth_event NAME N: the Nth event called NAME, as compact sorted JSON.
nth_event() {
	jq -c -S "select(.event == \"$1\")" "$M" | sed -n "${2}p"
}
# sorted JSON, to compare with what show printed
sorted() { printf '%s' "$1" | jq -c -S .; }

monitor_start "$M" -j monitor

chamctl tenant add alpha id 11 >/dev/null
tenant_added=$(chamctl -j tenant show alpha)
chamctl tenant set alpha share 25% burst 500us >/dev/null
tenant_changed=$(chamctl -j tenant show alpha)
chamctl rule add alpha dst 10.77.0.0/24 proto udp dport 7000 >/dev/null
rule=$(chamctl -j rule show | jq -c '.[] | select(.tenant == "alpha")')
rule_id=$(printf '%s' "$rule" | jq .id)
chamctl port attach cham0 >/dev/null
chamctl config set contention 20ms >/dev/null
config=$(chamctl -j config show)

chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
bound=$(chamctl -j tenant show alpha | jq -c .proto)
chamctl proto replace alpha "$BPF/udp_upper.bpf.o" >/dev/null
replaced=$(chamctl -j tenant show alpha | jq -c .proto)

rm -f /tmp/agent24.ready
agent_probe alpha --seconds 30 --ready /tmp/agent24.ready >/dev/null 2>&1 &
agent=$!
eventually "an agent registers for alpha" test -e /tmp/agent24.ready
agent_portid=$(chamctl -j tenant show alpha | jq .agent_portid)
kill $agent
wait $agent 2>/dev/null

# A port that goes away with its device, and a tenant that may use it.
ip link add mon0 type veth peer name mon1
chamctl port attach mon0 >/dev/null
mon0_ifindex=$(cat /sys/class/net/mon0/ifindex)
chamctl tenant set alpha ports mon0 >/dev/null
ip link set mon0 down
ip link set mon0 name mon2
ip link del mon2

chamctl guest add g24 tenant alpha netns gm addr 10.77.0.24/32 >/dev/null
guest=$(chamctl -j guest show g24)
ip netns del gm
eventually "the guest's link is gone" \
	sh -c '[ "$(chamctl -j guest show g24 | jq .ifindex)" = 0 ]'
chamctl guest del g24 >/dev/null

chamctl proto unload alpha >/dev/null
chamctl rule del "$rule_id" >/dev/null
chamctl port detach cham0 >/dev/null
chamctl config set contention 10ms >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
chamctl tenant del alpha >/dev/null
eventually "the monitor has seen the tenant go" grep -q tenant_del "$M"
monitor_stop
sed 's/^/# monitor: /' "$M"

check_eq "every change, in order" \
	"tenant_add tenant_change rule_add port_add config_change proto_bind proto_replace agent_add agent_del port_add tenant_change port_change port_del tenant_change guest_add guest_change guest_del proto_unbind rule_del port_del config_change proto_bind proto_unbind tenant_del" \
	"$(jq -r .event "$M" | tr '\n' ' ' | sed 's/ $//')"
check_eq "every line is one JSON object" "$(wc -l <"$M")" \
	"$(jq -c . "$M" | wc -l)"

check_eq "tenant_add: the tenant as tenant show printed it" \
	"$(sorted "$tenant_added")" "$(nth_event tenant_add 1 | jq -c -S .tenant)"
check_eq "tenant_change: the tenant after the change" \
	"$(sorted "$tenant_changed")" "$(nth_event tenant_change 1 | jq -c -S .tenant)"
check_eq "tenant_change (ports mon0): the port listed" "[\"mon0\"]" \
	"$(nth_event tenant_change 2 | jq -c '[.tenant.ports[].ifname]')"
check_eq "tenant_change (mon0 gone): no port left" "[]" \
	"$(nth_event tenant_change 3 | jq -c '[.tenant.ports[] | select(.ifindex != 0)]')"
check_eq "rule_add: the rule as rule show printed it" \
	"$(sorted "$rule")" "$(nth_event rule_add 1 | jq -c -S .rule)"
check_eq "rule_del: the rule deleted" "$(sorted "$rule")" \
	"$(nth_event rule_del 1 | jq -c -S .rule)"
check_eq "port_add: cham0" cham0 "$(nth_event port_add 1 | jq -r .port.ifname)"
check_eq "port_add: mon0 and its ifindex" "mon0 $mon0_ifindex" \
	"$(nth_event port_add 2 | jq -r '"\(.port.ifname) \(.port.ifindex)"')"
check_eq "port_change: mon0 renamed mon2, same ifindex" "mon2 $mon0_ifindex" \
	"$(nth_event port_change 1 | jq -r '"\(.port.ifname) \(.port.ifindex)"')"
check_eq "port_del: mon2, its device deleted" mon2 \
	"$(nth_event port_del 1 | jq -r .port.ifname)"
check_eq "port_del: cham0, detached" cham0 \
	"$(nth_event port_del 2 | jq -r .port.ifname)"
check_eq "config_change: the settings as config show printed them" \
	"$(sorted "$config")" "$(nth_event config_change 1 | jq -c -S .config)"
check_eq "config_change: contention back to 10 ms" 10000 \
	"$(nth_event config_change 2 | jq .config.contention_us)"
check_eq "proto_bind: the protocol as tenant show printed it" \
	"$(sorted "$bound")" "$(nth_event proto_bind 1 | jq -c -S .proto)"
check_eq "proto_bind: for tenant alpha (id 11)" "alpha 11" \
	"$(nth_event proto_bind 1 | jq -r '"\(.tenant) \(.tenant_id)"')"
check "proto_bind: a link id and a program" \
	sh -c '[ "$(printf "%s" "$1" | jq ".link_id > 0 and .handlers[0].prog_id > 0")" = true ]' \
	_ "$bound"
check_eq "proto_replace: the new protocol as tenant show printed it" \
	"$(sorted "$replaced")" "$(nth_event proto_replace 1 | jq -c -S .proto)"
check_eq "proto_replace: on the same link, replacing udp_echo" \
	"$(printf '%s' "$bound" | jq -c '[.link_id, .name, .generation]')" \
	"$(nth_event proto_replace 1 | jq -c '[.proto.link_id, .replaced.name, .replaced.generation]')"
check_eq "proto_unbind: the protocol that was bound, its link" \
	"$(printf '%s' "$replaced" | jq -c '[.name, .link_id, .ejected]')" \
	"$(nth_event proto_unbind 1 | jq -c '[.proto.name, .proto.link_id, .proto.ejected]')"
check_eq "proto_unbind on tenant deletion: udp_echo" udp_echo \
	"$(nth_event proto_unbind 2 | jq -r .proto.name)"
check "agent_add: the agent's netlink port, as tenant show had it" \
	test "$agent_portid" -gt 0 -a \
	"$(nth_event agent_add 1 | jq .agent_portid)" = "$agent_portid"
check_eq "agent_del: the same port, for alpha" "alpha $agent_portid" \
	"$(nth_event agent_del 1 | jq -r '"\(.tenant) \(.agent_portid)"')"
check_eq "guest_add: the guest as guest show printed it (but its socket's counters)" \
	"$(printf '%s' "$guest" | jq -c -S 'del(.link)')" \
	"$(nth_event guest_add 1 | jq -c -S '.guest | del(.link)')"
check_eq "guest_change: its link gone" 0 \
	"$(nth_event guest_change 1 | jq .guest.ifindex)"
check_eq "guest_del: g24" g24 "$(nth_event guest_del 1 | jq -r .guest.name)"
check_eq "tenant_del: alpha (id 11), its protocol unbound first" "alpha 11 null" \
	"$(nth_event tenant_del 1 | jq -r '"\(.tenant.name) \(.tenant.id) \(.tenant.proto)"')"

# Limited to objects, in text: only the rule's two lines, as rule add takes them.
chamctl tenant add beta id 12 >/dev/null
monitor_start "$M" monitor rule count 2
chamctl tenant set beta share 10% >/dev/null
chamctl rule add beta dst 10.78.0.0/16 proto udp dport 53 >/dev/null
id=$(chamctl -j rule show | jq '.[] | select(.tenant == "beta") | .id')
chamctl rule del "$id" >/dev/null
eventually "the monitor exits after 2 events" sh -c "! kill -0 $monitor"
monitor_stop
sed 's/^/# monitor: /' "$M"
check_eq "monitor rule: the rule added and deleted, nothing else" \
	"added rule $id tenant beta dst 10.78.0.0/16 proto udp dport 53|deleted rule $id tenant beta dst 10.78.0.0/16 proto udp dport 53" \
	"$(paste -sd'|' "$M")"
check_fails "monitor: an unknown object is refused" chamctl monitor rules
chamctl tenant del beta >/dev/null

reset_state
finish
