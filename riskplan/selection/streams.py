"""Named random streams: one reproducible generator per (seed, day or month, stratum or station)."""

from __future__ import annotations

import zlib

import numpy as np


def keyed_rng(*parts: int | str) -> np.random.Generator:
    """A generator seeded by ``parts``; text parts enter as their CRC-32.

    Keying a stream by what it draws for (a stratum, a station and day) makes each draw
    independent of which other strata or stations exist, and stable across runs (unlike
    ``hash()``, CRC-32 does not change with the interpreter's hash seed).
    """
    entropy = [zlib.crc32(p.encode("utf-8")) if isinstance(p, str) else int(p) for p in parts]
    return np.random.default_rng(np.random.SeedSequence(entropy))
