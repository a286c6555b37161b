#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the benchmark frames: DIR/udp4_PORT.bin for each PORT.

Each is a UDP datagram to 10.77.0.1:PORT that is its own echo (same
addresses, ports and MACs both ways), so that every repetition of
BPF_PROG_TEST_RUN, which reuses the rewritten buffer, does identical work.

Usage: frames.py DIR PORT...
"""
import struct
import sys


def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    return ~((s & 0xffff) + (s >> 16)) & 0xffff


def frame(port):
    payload = b'x' * 18
    addr = bytes([10, 77, 0, 1])
    mac = bytes.fromhex('020000000001')
    udp = struct.pack('!HHHH', port, port, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                     0, addr, addr)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return mac + mac + b'\x08\x00' + ip + udp


for port in map(int, sys.argv[2:]):
    with open('%s/udp4_%d.bin' % (sys.argv[1], port), 'wb') as f:
        f.write(frame(port))
