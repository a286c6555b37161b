#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boots the VM once and measures the fast path's per-packet
# cost against a standalone XDP program (scripts/bench/fastpath-vm.sh).
# Prints a table of ratios and writes scripts/bench/results/fastpath.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

mkdir -p scripts/bench/frames scripts/bench/results
# UDP datagrams to 10.77.0.1 that are their own echo (same addresses, ports
# and MACs both ways), so every repetition of BPF_PROG_TEST_RUN, which
# reuses the rewritten buffer, does identical work. One per port that
# fastpath-vm.sh steers differently.
python3 - scripts/bench/frames <<'PY'
import struct, sys

def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    return ~((s & 0xffff) + (s >> 16)) & 0xffff

def frame(port):
    payload = b'x' * 18
    addr = bytes([10, 77, 0, 1])
    mac = bytes.fromhex('020000000001')
    udp = struct.pack('!HHHH', port, port, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     addr, addr)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return mac + mac + b'\x08\x00' + ip + udp

for port in (7000, 7001, 7002, 9):
    open('%s/udp4_%d.bin' % (sys.argv[1], port), 'wb').write(frame(port))
PY

out=scripts/bench/results/fastpath.json
log=.deps/bench-console.log
scripts/vm.sh --timeout "${BENCH_TIMEOUT:-1800}" --log "$log" -- \
	"REPEAT=${REPEAT:-200000} ROUNDS=${ROUNDS:-9} scripts/bench/fastpath-vm.sh" |
	tee .deps/bench-vm.out
tr -d '\r' <.deps/bench-vm.out |
	sed -n '/^BENCH-JSON-BEGIN$/,/^BENCH-JSON-END$/p' | sed '1d;$d' >"$out"
[ -s "$out" ] || { echo "bench: no result (console log: $log)" >&2; exit 1; }
echo "bench: results in $out"
