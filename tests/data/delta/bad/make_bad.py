#!/usr/bin/env python3
"""Regenerates the hostile patches in this folder (see ../../PROVENANCE.md).
Run from this folder: python3 make_bad.py. Deterministic: same bytes every run."""
import bz2
import struct

def offt(v):
    return struct.pack('<Q', (-v) | (1 << 63) if v < 0 else v)

def bsdiff(entries, diff, extra, new_size, ctrl_len=None, diff_len=None):
    c = bz2.compress(b''.join(offt(a) + offt(b) + offt(s) for a, b, s in entries), 9)
    d, x = bz2.compress(diff, 9), bz2.compress(extra, 9)
    head = b'BSDIFF40' + offt(len(c) if ctrl_len is None else ctrl_len) \
        + offt(len(d) if diff_len is None else diff_len) + offt(new_size)
    return head + c + d + x

def write(name, data):
    with open(name, 'wb') as f:
        f.write(data)

deb = open('../debian-bsdiff.patch', 'rb').read()
ours = open('../ota-bsdiff-trailer.patch', 'rb').read()
zst = open('../zstd-cli-19.patch', 'rb').read()

write('truncated-header.bsdiff', deb[:20])
write('truncated-streams.bsdiff', deb[:-10])
write('header-overflow.bsdiff', bsdiff([], b'', b'', 0, ctrl_len=(1 << 63) - 1))
write('negative-ctrl.bsdiff', bsdiff([(-1, 0, 0)], b'', b'', 10))
write('cve-2014-9862.bsdiff', bsdiff([(0, 1000, 0)], b'', b'\x41' * 1000, 10))
write('source-overrun.bsdiff', bsdiff([(0, 0, 16300), (100, 0, 0)], b'\0' * 100, b'', 100))
write('header-bomb.bsdiff', bsdiff([], b'', b'', 1 << 40))
bad_crc = bytearray(deb)
bad_crc[32 + 20] ^= 0x10  # inside the control stream's first bzip2 block
write('bad-bzip2.bsdiff', bytes(bad_crc))
wrong_src = bytearray(ours)
wrong_src[-88 + 16] ^= 1  # source sha256 in the trailer
write('wrong-source-trailer.bsdiff', bytes(wrong_src))
wrong_dst = bytearray(ours)
wrong_dst[-88 + 48] ^= 1  # target sha256 in the trailer
write('tampered-target.bsdiff', bytes(wrong_dst))
write('truncated.zst', zst[:len(zst) // 2])
# Frame header: no single-segment flag, window descriptor 2^31, an empty last raw block.
write('window-bomb.zst', bytes([0x28, 0xB5, 0x2F, 0xFD, 0x00, (31 - 10) << 3, 0x01, 0x00, 0x00]))
write('two-frames.zst', zst + zst)
bad_sum = bytearray(zst)
bad_sum[-1] ^= 0xFF  # the XXH64 content checksum
write('checksum.zst', bytes(bad_sum))
write('empty.patch', b'')
write('vcdiff.patch', bytes([0xD6, 0xC3, 0xC4, 0x00, 0x00]))
