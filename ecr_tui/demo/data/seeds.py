"""Deterministic randomness: the same seed always gives the same bytes, digests and numbers.

Everything the dataset derives from a seed goes through here, so the content is
byte for byte the same on every run.
"""

from __future__ import annotations

import hashlib
import random


def random_digest(rng: random.Random) -> str:
    """A sha256 digest drawn from `rng` (a base layer's)."""
    return f"sha256:{rng.getrandbits(256):064x}"


def noise_bytes(seed: int, size: int) -> bytes:
    """`size` bytes that depend on `seed` alone: one hash call, cheaper than a seeded Random."""
    return hashlib.shake_128(seed.to_bytes(8, "big")).digest(size)


def fraction(noise: bytes, index: int) -> float:
    """A number in [0, 1) from the four bytes at `index`."""
    return int.from_bytes(noise[index : index + 4], "big") / 4_294_967_296


def stable_seed(text: str) -> int:
    """A seed from a name, the same in every process (unlike `hash()`)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
