"""The idempotency store: claims, duplicates in flight, stale claims, purge."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from media.models import ProviderCall
from media.providers import CallInProgress, RateLimited, SafetyBlocked, video_provider
from media.providers.calls import ProviderCallStore, StoredResult, request_fingerprint
from tests.media.providers.fakes import Reply

START = "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
BODY = {
    "instances": [{"prompt": "skyline"}],
    "parameters": {"aspectRatio": "16:9", "durationSeconds": 4, "resolution": "720p"},
}


def claim(store, key="k", fingerprint="f"):
    return store.begin(
        key=key, provider="veo", model="veo-3.1-generate-preview", fingerprint=fingerprint
    )


def test_a_second_delivery_while_the_first_is_creating_waits(fake, make_config, retry):
    fingerprint = request_fingerprint(
        provider="veo", model="veo-3.1-generate-preview", request=BODY
    )
    claim(ProviderCallStore(), key="job-1", fingerprint=fingerprint)
    adapter = video_provider("veo", config=make_config("veo"), retry=retry)

    with pytest.raises(CallInProgress) as busy:
        adapter.generate_video(
            prompt="skyline", duration_seconds=4, aspect_ratio="16:9", idempotency_key="job-1"
        )

    assert busy.value.retryable is True
    assert fake.requests == []


def test_a_stale_claim_is_taken_over():
    store = ProviderCallStore(stale_after=timedelta(minutes=10))
    claim(store)
    ProviderCall.objects.update(claimed_at=timezone.now() - timedelta(minutes=11))

    assert claim(store).state == "new"
    assert ProviderCall.objects.get().attempts == 2


def test_a_released_claim_with_a_handle_resumes_the_operation():
    store = ProviderCallStore()
    claim(store)
    store.submitted(key="k", handle="operations/1")
    store.failed(key="k", error=RateLimited("slow down", provider="veo"))

    prior = claim(store)

    assert (prior.state, prior.handle) == ("submitted", "operations/1")


def test_an_ended_operation_is_not_resumed():
    store = ProviderCallStore()
    claim(store)
    store.submitted(key="k", handle="operations/1")
    store.failed(key="k", error=RateLimited("busy", provider="veo"), operation_ended=True)

    assert claim(store).state == "new"
    assert ProviderCall.objects.get().handle == ""


def test_a_permanent_failure_is_replayed_without_a_call():
    store = ProviderCallStore()
    claim(store)
    store.failed(key="k", error=SafetyBlocked("filtered", provider="veo", reason="RAI"))

    prior = claim(store)

    assert prior.state == "failed"
    assert isinstance(prior.error, SafetyBlocked) and prior.error.reason == "RAI"


def test_an_unexpected_exception_releases_the_key(fake, make_config, retry):
    adapter = video_provider("veo", config=make_config("veo"), retry=retry)
    fake.on("POST", START, Reply(json={"name": "operations/9"}))
    fake.on("GET", "/v1beta/operations/9", Reply(json={"done": False}))

    def interrupted(progress):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        adapter.generate_video(
            prompt="skyline",
            duration_seconds=4,
            aspect_ratio="16:9",
            idempotency_key="job-2",
            on_progress=interrupted,
        )

    call = ProviderCall.objects.get(idempotency_key="job-2")
    assert (call.status, call.handle) == ("released", "operations/9")


def test_purge_deletes_old_results_and_their_files():
    store = ProviderCallStore()
    claim(store, key="old")
    store.succeeded(key="old", result=StoredResult(data=b"video", suffix=".mp4", meta={}))
    claim(store, key="new")
    store.succeeded(key="new", result=StoredResult(data=b"video", suffix=".mp4", meta={}))
    old = ProviderCall.objects.get(idempotency_key="old")
    ProviderCall.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=8))

    assert store.purge(older_than=timedelta(days=7)) == 1

    assert not default_storage.exists(old.result.name)
    assert list(ProviderCall.objects.values_list("idempotency_key", flat=True)) == ["new"]
