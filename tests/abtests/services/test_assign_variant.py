"""Deterministic assignment: the same unit gets the same variant in every call and in another
Python process, the shares follow the split, and a 0% variant gets nobody."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from abtests import services
from abtests.assignment import unit_bucket, variant_for_unit
from abtests.selectors import ABTestNotFound
from tests.abtests.conftest import variant_ids

ROOT = Path(__file__).resolve().parents[3]


def test_it_is_stable_across_processes():
    units = [f"customer-{i}" for i in range(50)]
    here = [unit_bucket("abt_1", u) for u in units]
    # A fresh interpreter has a different hash() salt; SHA-256 buckets must not change.
    script = (
        "from abtests.assignment import unit_bucket;"
        f"print([unit_bucket('abt_1', u) for u in {units!r}])"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == str(here)


def test_it_follows_the_split_and_skips_a_zero_share():
    split = [("a", 20), ("b", 0), ("c", 80)]
    counts = Counter(variant_for_unit("abt_x", f"u{i}", split) for i in range(20_000))
    assert counts["b"] == 0
    # The buckets of 20,000 fixed ids: within two percentage points of the split.
    assert counts["a"] / 20_000 == pytest.approx(0.2, abs=0.02)


def test_it_refuses_a_split_that_does_not_total_100():
    with pytest.raises(ValueError, match="total 100"):
        variant_for_unit("t", "u", [("a", 50), ("b", 40)])


@pytest.mark.django_db
def test_it_assigns_a_unit_of_a_stored_test_to_one_of_its_variants(running_test):
    first = services.assign_variant(running_test.pk, "visitor-42")
    assert first in variant_ids(running_test)
    assert all(services.assign_variant(running_test.pk, "visitor-42") == first for _ in range(5))
    both = {services.assign_variant(running_test.pk, f"v{i}") for i in range(100)}
    assert both == set(variant_ids(running_test))


@pytest.mark.django_db
def test_it_answers_not_found_for_an_unknown_test():
    with pytest.raises(ABTestNotFound):
        services.assign_variant("abt_missing", "visitor-1")
