"""Base45 (RFC 9285) at C speed, for issuing and verifying codes.

The `base45` package works group by group in Python, which took a third of the time of
verifying a code. Decoding here is whole-buffer operations: characters become digit values
through `bytes.translate`, the three digits of each group are spread into 24-bit lanes of three
big integers, and one multiply-add computes every group at once (a lane holds at most
44 + 45·44 + 2025·44 = 91124 < 2**24, so lanes never carry into each other). Encoding maps each
16-bit group through a table of its three characters, built on first use (65,536 short bytes,
about 2.5 MB). Tests check both against the `base45` package.
"""

import array
import sys
import threading

ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
_DIGITS = bytes(ALPHABET.index(c) if c in ALPHABET else _INVALID for c in range(256))


_encode_lock = threading.Lock()
_encoded_pairs: list[bytes] = []


def _pairs() -> list[bytes]:
    if not _encoded_pairs:
        with _encode_lock:
            if not _encoded_pairs:
                digits = [bytes([c]) for c in ALPHABET]
                table = [
                    digits[v % 45] + digits[v // 45 % 45] + digits[v // 2025] for v in range(65536)
                ]
                # Filled in one step: extending from a generator would show other threads
                # (gthread workers) a table that is not empty yet not whole.
                _encoded_pairs[:] = table
    return _encoded_pairs


def b45encode(data: bytes) -> bytes:
    full = len(data) - len(data) % 2
    groups = array.array("H", data[:full])
    if sys.byteorder == "little":
        groups.byteswap()
    text = b"".join(map(_pairs().__getitem__, groups))
    if full != len(data):
        value = data[-1]
        text += ALPHABET[value % 45 : value % 45 + 1] + ALPHABET[value // 45 : value // 45 + 1]
    return text


def _lanes(digits: bytes, count: int) -> int:
    spread = bytearray(3 * count)
    spread[2::3] = digits
    return int.from_bytes(spread, "big")


def b45decode(text: bytes) -> bytes:
    """Raises ValueError for anything that is not canonical Base45."""
    digits = text.translate(_DIGITS)
    if _INVALID in digits or len(digits) % 3 == 1:
        raise ValueError("not Base45")
    groups, tail = divmod(len(digits), 3)
    full = digits[: 3 * groups]
    total = (
        _lanes(full[0::3], groups)
        + 45 * _lanes(full[1::3], groups)
        + 2025 * _lanes(full[2::3], groups)
    )
    lanes = total.to_bytes(3 * groups, "big")
    if lanes[0::3].count(0) != groups:
        raise ValueError("not Base45")
    data = bytearray(2 * groups)
    data[0::2] = lanes[1::3]
    data[1::2] = lanes[2::3]
    if tail:
        value = digits[-2] + 45 * digits[-1]
        if value > 255:
            raise ValueError("not Base45")
        data.append(value)
    return bytes(data)
