"""Go's ``base64.StdEncoding.DecodeString``, including the byte offsets in its errors.

dokku's ``config:set --encoded`` reports ``illegal base64 data at input byte N``; clients may
show that text, so the stand-in computes N the way Go does (newlines are skipped, padding is
required).
"""

from __future__ import annotations

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_DECODE = {char: index for index, char in enumerate(_ALPHABET)}


class CorruptInput(ValueError):
    def __init__(self, offset: int) -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset


def decode(src: str) -> bytes:
    out = bytearray()
    si = 0
    n = len(src)
    while True:
        quantum = [0, 0, 0, 0]
        dlen = 4
        j = 0
        done = False
        while j < 4:
            if si == n:
                if j == 0:
                    return bytes(out)
                # Padding is required, so a short final quantum is corrupt.
                raise CorruptInput(si - j)
            char = src[si]
            si += 1
            if char in _DECODE:
                quantum[j] = _DECODE[char]
                j += 1
                continue
            if char in "\r\n":
                continue
            if char != "=":
                raise CorruptInput(si - 1)
            if j in (0, 1):
                raise CorruptInput(si - 1)
            if j == 2:
                while si < n and src[si] in "\r\n":
                    si += 1
                if si == n:
                    raise CorruptInput(n)
                if src[si] != "=":
                    raise CorruptInput(si - 1)
                si += 1
            while si < n and src[si] in "\r\n":
                si += 1
            if si < n:
                raise CorruptInput(si)
            dlen = j
            done = True
            break
        value = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3]
        chunk = bytes([(value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF])
        out += chunk[: dlen - 1] if dlen < 4 else chunk
        if done:
            return bytes(out)
