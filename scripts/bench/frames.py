#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the benchmark frames: DIR/udp4_PORT.bin and DIR/udp4_PORT_nocsum.bin
for each PORT, DIR/udp4_ADDR_PORT.bin and DIR/udp4_ADDR_PORT_nocsum.bin for
each ADDR:PORT.

Each is a UDP datagram to 10.77.0.1:PORT (or ADDR:PORT) that is its own echo (same
addresses, ports and MACs both ways), so that every repetition of
BPF_PROG_TEST_RUN, which reuses the rewritten buffer, does identical work.
The frames are valid as a Linux host checks them, since the fast path
refuses others: a correct IPv4 header checksum, a UDP length equal to the
IP payload. udp4_PORT.bin carries a correct UDP checksum, as Linux senders
put on every datagram; udp4_PORT_nocsum.bin carries none (0, allowed over
IPv4), which leaves a handler nothing to verify.

Usage: frames.py [--payload BYTES] DIR [ADDR:]PORT...

The payload is 18 bytes; with --payload BYTES the frames are named
udp4_PORT_BYTES.bin and udp4_PORT_BYTES_nocsum.bin instead.
"""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(addr, port, udp_csum=True, payload_len=18):
    payload = b'x' * payload_len
    mac = bytes.fromhex('020000000001')
    udp_len = 8 + len(payload)
    udp = struct.pack('!HHHH', port, port, udp_len, 0) + payload
    if udp_csum:
        pseudo = addr + addr + struct.pack('!BBH', 0, 17, udp_len)
        # A sum of 0 is sent as 0xffff: 0 means "no checksum".
        c = csum(pseudo + udp) or 0xffff
        udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                     0, addr, addr)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    assert csum(ip) == 0
    return mac + mac + b'\x08\x00' + ip + udp


args = sys.argv[1:]
payload_len, suffix = 18, ''
if args[:1] == ['--payload']:
    payload_len, suffix = int(args[1]), '_' + args[1]
    args = args[2:]
for dest in args[1:]:
    # 10.77.0.1 is the benchmarks' address, left out of the names.
    host, _, port = dest.rpartition(':')
    prefix = 'udp4_%s_' % host if host else 'udp4_'
    addr = socket.inet_aton(host or '10.77.0.1')
    for name, udp_csum in (('%s.bin', True), ('%s_nocsum.bin', False)):
        with open('%s/%s' % (args[0], name % (prefix + port + suffix)), 'wb') as f:
            f.write(frame(addr, int(port), udp_csum, payload_len))
