#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the VM by `make demo`: a tenant's udp_echo protocol
# serves a real Linux UDP client from the shared fast path, next to the
# kernel stack, and the admin looks at it with chamctl.
set -eu
cd /chamelio/selftests
. ./lib.sh
set +u

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "load chamelio.ko and attach it to port cham0 (a veth to namespace cl)"
run insmod "$KO"
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
