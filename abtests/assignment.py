"""Deterministic assignment of a unit (a visitor, a customer, a session) to a variant.

SHA-256 of ``test_id`` and ``unit_id`` picks one of 10,000 buckets, so the answer is the same in
every call and every process (Python's ``hash()`` is salted per process and would not be).
Buckets are laid out by the split in the variants' order; a variant with 0% gets none.
A re-split moves only the units whose bucket changes hands.
"""

import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

BUCKETS = 10_000


def unit_bucket(test_id: str, unit_id: str) -> int:
    digest = hashlib.sha256(f"{test_id}\x1f{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def variant_for_unit(test_id: str, unit_id: str, split: Sequence[tuple[str, int]]) -> str:
    """The variant id for ``unit_id`` given ``split`` as (variant id, percent) in order."""
    if sum(percent for _, percent in split) != 100:
        raise ValueError("the split must total 100%")
    edges = list(accumulate(percent * BUCKETS // 100 for _, percent in split))
    return split[bisect_right(edges, unit_bucket(test_id, unit_id))][0]
