#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reference Kerberos crypto (RFC 3961/3962/8009) in Python, independent of
the module: prints the aes-cts-hmac-sha1-96 known answers that
kmod/krb5_selftest.c carries (RFC 3962 has no key-derivation, checksum
or encryption vectors for them), and checks itself against the RFC 3961
n-fold, RFC 3962 CTS and RFC 8009 vectors first.  Needs python3-cryptography.
"""
import hashlib
import hmac
import math
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def nfold(data, n):
    k = len(data)
    lcm = k * n // math.gcd(k, n)
    bits = k * 8
    num = int.from_bytes(data, 'big')
    buf = b''
    for c in range(lcm // k):
        r = (13 * c) % bits
        rot = ((num >> r) | (num << (bits - r))) & ((1 << bits) - 1)
        buf += rot.to_bytes(k, 'big')
    total = 0
    mod = (1 << (8 * n)) - 1
    for i in range(0, lcm, n):
        total += int.from_bytes(buf[i:i + n], 'big')
        while total > mod:
            total = (total & mod) + (total >> (8 * n))
    return total.to_bytes(n, 'big')


def aes_ecb(key, block):
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def cts_encrypt(key, data):
    """CBC-CS3 with a zero IV, as RFC 3962 uses it."""
    assert len(data) >= 16
    e = Cipher(algorithms.AES(key), modes.CBC(b'\0' * 16)).encryptor()
    if len(data) == 16:
        return e.update(data) + e.finalize()
    pad = (-len(data)) % 16
    c = e.update(data + b'\0' * pad) + e.finalize()
    last = len(data) - (16 - pad if pad else 16)
    blocks = [c[i:i + 16] for i in range(0, len(c), 16)]
    blocks[-1], blocks[-2] = blocks[-2], blocks[-1]
    out = b''.join(blocks)
    return out[:len(data)]


def dk(key, constant):
    c = nfold(constant, 16)
    out = b''
    while len(out) < len(key):
        c = aes_ecb(key, c)
        out += c
    return out[:len(key)]


def kdf_sha2(key, label, bits, h):
    return hmac.new(key, b'\0\0\0\1' + label + b'\0' + bits.to_bytes(4, 'big'),
                    h).digest()[:bits // 8]


def usage_label(u, kind):
    return u.to_bytes(4, 'big') + bytes([kind])


def enc_sha1(key, usage, conf, plain):
    ke = dk(key, usage_label(usage, 0xaa))
    ki = dk(key, usage_label(usage, 0x55))
    p = conf + plain
    return cts_encrypt(ke, p) + hmac.new(ki, p, hashlib.sha1).digest()[:12]


def enc_sha2(ke, ki, conf, plain, h, tl):
    c = cts_encrypt(ke, conf + plain)
    return c + hmac.new(ki, b'\0' * 16 + c, h).digest()[:tl]


def check():
    assert nfold(b'012345', 8).hex() == 'be072631276b1955'
    assert nfold(b'password', 7).hex() == '78a07b6caf85fa'
    assert nfold(b'kerberos', 16).hex() == '6b65726265726f737b9b5b2b93132b93'
    assert nfold(b'Q', 21).hex() == '518a54a215a8452a518a54a215a8452a518a54a215'
    k = b'chicken teriyaki'
    assert cts_encrypt(k, b'I would like the ').hex() == \
        'c6353568f2bf8cb4d8a580362da7ff7f97'
    assert cts_encrypt(k, b"I would like the General Gau's ").hex() == \
        'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'
    base = bytes.fromhex('3705D96080C17728A0E800EAB6E0D23C')
    assert kdf_sha2(base, usage_label(2, 0x99), 128, hashlib.sha256).hex() == \
        'b31a018a48f54776f403e9a396325dc3'
    ke = kdf_sha2(base, usage_label(2, 0xaa), 128, hashlib.sha256)
    ki = kdf_sha2(base, usage_label(2, 0x55), 128, hashlib.sha256)
    assert enc_sha2(ke, ki, bytes.fromhex('7BCA285E2FD4130FB55B1A5C83BC5B24'),
                    bytes(range(6)), hashlib.sha256, 16).hex().upper() == \
        '84D7F30754ED987BAB0BF3506BEB09CFB55402CEF7E6877CE99E247E52D16ED4421DFDF8976C'


def main():
    check()
    rfc = b"I would like the General Gau's Chicken, please, and wonton soup."
    k = b'chicken teriyaki'
    for n in (17, 31, 32, 47, 48, 64):
        print('cts %d %s' % (n, cts_encrypt(k, rfc[:n]).hex()))
    keys = {
        16: bytes.fromhex('9062430c8cda3388922e6d6a509f5b7a'),
        32: bytes.fromhex('fe697b52bc0d3ce14432ba036a92e65b'
                          'bb52280990a2fa27883998d72af30161'),
    }
    conf = bytes.fromhex('b80d3251c1f6471494256ffe712d0b9a')
    for kl, key in keys.items():
        print('base %d %s' % (kl, key.hex()))
        for u in (2, 25):
            for kind in (0x99, 0xaa, 0x55):
                print('dk %d %d %02x %s' % (kl, u, kind,
                                          dk(key, usage_label(u, kind)).hex()))
        kc = dk(key, usage_label(2, 0x99))
        msg = bytes(range(21))
        print('mic %d %s' % (kl, hmac.new(kc, msg, hashlib.sha1).digest()[:12].hex()))
        for plain in (b'', bytes(range(6)), bytes(range(16)), bytes(range(21))):
            print('enc %d %d %s' % (kl, len(plain), enc_sha1(key, 2, conf, plain).hex()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
