"""A settable clock for the Firestore layout's tests (which dates are still open depends on now)."""

from datetime import UTC, datetime

import pytest


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 20, 18, tzinfo=UTC))
