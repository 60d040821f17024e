"""Sizes in bytes as people write them (`64M`, `1.5GiB`, `100000`) and as they read them."""

import re

from tvetkg.errors import TvetKgError

_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse(text: str, option: str = "size") -> int:
    """Bytes of `text`: a number with an optional K, M, G or T (powers of 1024), B or iB after it.

    >>> parse("64M"), parse("1.5GiB"), parse("2048")
    (67108864, 1610612736, 2048)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match:
        raise TvetKgError(f"{option} {text!r}: write a number of bytes, or with K, M or G (for example 64M)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def describe(count: int) -> str:
    """`count` bytes in the largest binary unit that keeps it readable: 64 MiB, 1.5 GiB, 900 bytes."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor:
            return f"{count / factor:.3g} {unit}"
    return f"{count:,} bytes"
