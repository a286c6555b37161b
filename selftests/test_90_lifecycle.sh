#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Loading and unloading the module in any state: rmmod is refused while a
# port or a protocol uses it, succeeds once they are gone, and the module
# reloads clean.
. ./lib.sh

load_module
reset_state
setup_net
mkdir -p "$PIN"
chamctl port attach cham0 >/dev/null
chamctl tenant add alpha id 1 >/dev/null
chamctl rule add alpha dst $HOST4 proto udp dport 7000 >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
check_eq "echo works before unload attempts" hi "$(udp_ask $HOST4 7000 hi)"

check_fails "rmmod refused while a port and a protocol use the module" rmmod chamelio
check "port detach" chamctl port detach cham0
check "protocol unload" chamctl proto unload alpha
check "rmmod succeeds once ports and protocols are gone (tenants, rules left)" unload_module
check "module reloads" insmod "$KO"
check_eq "reloaded module starts empty" 0 "$(chamctl -j tenant show | jq length)"

# A protocol alone holds the module: no port was attached since the reload.
chamctl tenant add alpha id 1 >/dev/null
chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha >/dev/null
check_fails "rmmod refused while only a protocol is registered" rmmod chamelio
chamctl proto unload alpha >/dev/null
check "rmmod succeeds once the protocol is gone" unload_module
insmod "$KO"

# XDP detached behind chamctl's back: the port stays registered, and
# unloading must still work.
chamctl port attach cham0 >/dev/null
chamctl tenant add beta id 2 >/dev/null
chamctl rule add beta dst $HOST6 proto udp >/dev/null
ip link set dev cham0 xdp off
check_eq "the port is still registered" 1 "$(chamctl -j port show | jq length)"
check "rmmod with a stale port, tenants and rules" unload_module

# Churn: load, configure, unload, a few times.
i=0
while [ $i -lt 3 ]; do
	insmod "$KO" &&
		chamctl tenant add t$i id $((i + 10)) >/dev/null &&
		chamctl rule add t$i dst 10.9.$i.0/24 >/dev/null &&
		chamctl port attach cham0 >/dev/null &&
		chamctl port detach cham0 >/dev/null &&
		unload_module
	check "load/configure/unload cycle $i" test $? -eq 0
	i=$((i + 1))
done

insmod "$KO"
chamctl port attach cham0 >/dev/null
check_eq "cham0 is a port" 1 "$(chamctl -j port show | jq length)"
ip link del cham0
check_eq "a port goes away with its interface" 0 "$(chamctl -j port show | jq length)"
check "final unload" unload_module
reset_state 2>/dev/null
finish
