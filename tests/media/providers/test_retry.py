"""Retry timing: full-jitter backoff with a cap, and reading the providers' wait hints."""

import random
from email.utils import formatdate

import pytest

from media.providers.retry import (
    RetryPolicy,
    is_per_day_quota,
    parse_google_duration,
    parse_retry_after,
    retry_hint,
)

NOW = 1_800_000_000.0


def test_backoff_is_full_jitter_under_a_doubling_ceiling_with_a_cap():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, rng=random.Random(1))

    waits = {attempt: [policy.backoff(attempt) for _ in range(500)] for attempt in (1, 2, 3, 6)}

    assert all(0 <= w <= 0.5 for w in waits[1]) and max(waits[1]) > 0.4
    assert all(0 <= w <= 1.0 for w in waits[2]) and max(waits[2]) > 0.9
    assert all(0 <= w <= 2.0 for w in waits[3])
    assert all(0 <= w <= 4.0 for w in waits[6]) and max(waits[6]) > 3.5
    assert min(waits[6]) < 0.5  # full jitter: the whole range, not just the top


def test_a_hint_is_used_as_is_until_it_is_too_long():
    policy = RetryPolicy(max_retry_after=60)

    assert policy.delay_after(1, 45.8) == 45.8
    assert policy.delay_after(1, 61) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("1.5", 1.5),
        (formatdate(NOW + 90, usegmt=True), 90.0),
        (formatdate(NOW - 90, usegmt=True), 0.0),
        ("soon", None),
        ("-5", 0.0),
    ],
)
def test_retry_after_takes_seconds_or_an_http_date(value, seconds):
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("26s", 26.0),
        ("45.8s", 45.8),
        ("0.5s", 0.5),
        ({"seconds": "3", "nanos": 500000000}, 3.5),
        ("26", None),
        (None, None),
    ],
)
def test_google_durations(value, seconds):
    assert parse_google_duration(value) == seconds


def test_retry_after_ms_wins_then_retry_after_then_retry_info():
    details = {
        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "9s"}]
    }

    assert retry_hint({"retry-after-ms": "250", "retry-after": "3"}, details, now=NOW) == 0.25
    assert retry_hint({"retry-after": "3"}, details, now=NOW) == 3.0
    assert retry_hint({}, details, now=NOW) == 9.0
    assert retry_hint({}, {"details": "nonsense"}, now=NOW) is None


def test_per_day_quota_is_recognised():
    def failure(quota_id):
        return {
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [{"quotaId": quota_id}],
                }
            ]
        }

    assert is_per_day_quota(failure("GenerateRequestsPerDayPerProjectPerModel-FreeTier"))
    assert not is_per_day_quota(failure("GenerateRequestsPerMinutePerProjectPerModel"))
    assert not is_per_day_quota({})
