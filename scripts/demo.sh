#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the VM by `make demo`: a tenant's udp_echo protocol
# serves a real Linux UDP client from the shared fast path, next to the
# kernel stack; another tenant's guest, a process in its own namespace,
# answers over AF_XDP through its tenant's protocol; a third tenant's
# key-value cache answers hot keys at XDP and the rest through its agent
# (the slow path); the admin looks at it with chamctl, watches every change
# with chamctl monitor, and unloads it all with chamctl.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "load chamelio.ko and attach it to port cham0 (a veth to namespace cl)"
run insmod "$KO"
printf '$ chamctl monitor > monitor.log &   # every change from now on (shown at the end)\n'
monitor_start /tmp/demo-monitor.log monitor
demo_monitor=$monitor
setup_net
run chamctl port attach cham0

say "the admin creates tenant alpha and steers UDP port 7000 to it"
run chamctl tenant add alpha id 1 owner 1000 default drop
run chamctl rule add alpha dst $HOST4/32 proto udp dport 7000
run chamctl rule add alpha dst $HOST6/128 proto udp dport 7000
run chamctl rule show

say "the provider runs the protocol loader; alpha's owner, uid 1000, loads its protocol"
chamctl proto serve >/tmp/proto-serve.log 2>&1 &
serve=$!
for i in $(seq 50); do [ -S /run/chamelio/proto.sock ] && break; sleep 0.1; done
printf '$ setpriv --reuid=1000 chamctl proto load udp_echo.bpf.o tenant alpha\n'
as_uid 1000 chamctl proto load "$BPF/udp_echo.bpf.o" tenant alpha
run chamctl tenant show
printf '$ setpriv --reuid=1001 chamctl proto load udp_upper.bpf.o tenant alpha   # not the owner\n'
as_uid 1001 chamctl proto load "$BPF/udp_upper.bpf.o" tenant alpha || true

say "a Linux UDP client in namespace cl talks to it (socat, kernel sockets)"
for msg in "hello from the client" "echoed by the fast path"; do
	printf '$ echo "%s" | socat - UDP:%s:7000\n' "$msg" "$HOST4"
	printf 'reply: %s\n' "$(udp_ask $HOST4 7000 "$msg")"
done
printf '$ echo "over IPv6" | socat - UDP:[%s]:7000\n' "$HOST6"
printf 'reply: %s\n' "$(udp_ask $HOST6 7000 'over IPv6')"

say "alpha's owner swaps a new version in on the same link (no packet unserved)"
printf '$ setpriv --reuid=1000 chamctl proto load udp_upper.bpf.o tenant alpha   # already bound\n'
as_uid 1000 chamctl proto load "$BPF/udp_upper.bpf.o" tenant alpha || true
printf '$ setpriv --reuid=1000 chamctl proto replace alpha udp_upper.bpf.o\n'
as_uid 1000 chamctl proto replace alpha "$BPF/udp_upper.bpf.o"
printf 'reply: %s\n' "$(udp_ask $HOST4 7000 'now in upper case')"

say "tenant beta's guest g1 (a container in namespace g1) attaches over AF_XDP"
run chamctl tenant add beta id 2 owner 1001
run chamctl rule add beta dst 10.77.1.0/24 proto udp
run chamctl tenant set beta ports cham0
run chamctl proto load "$BPF/guest_udp.bpf.o" tenant beta
ip netns add g1
run chamctl guest add g1 tenant beta netns g1 addr 10.77.1.11/32
g1mac=$(chamctl -j guest show g1 | jq -r .mac)
# The client reaches the guest's address on the wire, at the guest's MAC.
ip -n cl route add 10.77.1.0/24 dev cl0
ip -n cl neigh replace 10.77.1.11 lladdr "$g1mac" dev cl0 nud permanent
printf '$ nsenter --net=/run/netns/g1 setpriv --reuid=1001 --ambient-caps +net_raw guest_echo --guest g1 &\n'
nsenter --net=/run/netns/g1 "$(command -v setpriv)" --reuid=1001 --regid=1001 \
	--clear-groups --inh-caps=+net_raw --ambient-caps=+net_raw \
	"$CHAM/user/guest/guest_echo" --guest g1 &
echo_pid=$!
sleep 1
for msg in "hello, guest" "through beta's protocol, both ways"; do
	printf '$ echo "%s" | socat - UDP:10.77.1.11:7\n' "$msg"
	printf 'reply: %s\n' "$(udp_ask 10.77.1.11 7 "$msg")"
done
run chamctl guest show g1
kill "$echo_pid"
wait "$echo_pid" 2>/dev/null || true
run chamctl guest del g1
ip netns del g1

say "tenant gamma: a key-value cache, GETs of hot keys answered at XDP, the store in its agent"
run chamctl tenant add gamma id 3 owner 1002
run chamctl rule add gamma dst $HOST4/32 proto udp dport 7100
run chamctl tenant set gamma ports cham0
printf '$ setpriv --reuid=1002 chamctl proto load kv_cache.bpf.o tenant gamma\n'
as_uid 1002 chamctl proto load "$BPF/kv_cache.bpf.o" tenant gamma
printf '$ setpriv --reuid=1002 kv_agent gamma --port 7100 &\n'
"$(command -v setpriv)" --reuid=1002 --regid=1002 --clear-groups --inh-caps=-all \
	"$CHAM/user/agent/kv_agent" gamma --port 7100 &
agent=$!
for i in $(seq 50); do
	[ "$(chamctl -j tenant show gamma | jq '.agent_portid // 0')" -gt 0 ] && break
	sleep 0.1
done
for req in "SET colour blue:OK" "GET colour:blue" "GET colour:blue" "GET colour:blue"; do
	request=${req%%:*}
	answer=${req##*:}
	printf '$ echo "%s" | socat - UDP:%s:7100\n' "$request" $HOST4
	printf 'reply: %s\n' "$(udp_ask_n $HOST4 7100 "$request" ${#answer})"
done
echo "(the SET and the first two GETs went through the agent, which then installed"
echo " the key in the protocol's map; the last GET was answered at XDP)"
chamctl -j stats gamma | jq -M -c '{punt: .verdicts.punt, tx: .verdicts.tx, punt_delivered, injected, msg_calls}'
kill "$agent"
wait "$agent" 2>/dev/null || true

say "traffic no rule matches goes to the kernel stack (ping)"
run ip netns exec cl ping -c2 -W2 $HOST4

say "statistics per tenant (id 0: traffic no tenant owns)"
run chamctl stats

say "the owner unloads its protocol: its traffic takes its default (drop)"
printf '$ setpriv --reuid=1000 chamctl proto unload tenant alpha\n'
as_uid 1000 chamctl proto unload tenant alpha
sleep 1
printf 'reply: "%s"\n' "$(udp_ask $HOST4 7000 'anyone?')"
run chamctl stats alpha
kill "$serve"

say "the admin unloads the rest with chamctl: the kernel's view of the protocols, then rmmod"
run chamctl proto show
run chamctl proto unload beta
run chamctl proto unload gamma
run chamctl port detach cham0
run chamctl status
printf '$ rmmod chamelio\n'
unload_module

say "what chamctl monitor printed while the demo ran"
monitor=$demo_monitor
monitor_stop
cat /tmp/demo-monitor.log
