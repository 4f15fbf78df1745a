"""A job's every outcome while the cost store is down (the fake switched off): the paid clips of
a failed video and the failure itself wait in the cost outbox, the hold is settled to what was
paid in that same transaction, and the drain records each once when the store is back."""

import pytest

from costs.models import BudgetHold, PendingCostEvent
from costs.outbox import drain_cost_outbox
from costs.pricing import estimate_media_cost
from costs.selectors import get_recent_media_events
from costs.stores import use_repository
from media.models import GenerationJob
from media.services import generate_video
from tests.costs.fake_repository import SwitchableFakeRepository
from tests.media.services.conftest import holds, veo_second_clip_refused

pytestmark = pytest.mark.django_db


def test_a_failed_videos_paid_clips_wait_in_the_outbox_and_settle_the_hold(
    org_a, owner_a, real_provider, clip_bytes
):
    veo_second_clip_refused(real_provider("veo"), clip_bytes)
    clip = estimate_media_cost("video", "veo", {"duration_seconds": 8}).cost_micros

    with use_repository(SwitchableFakeRepository()) as store:
        store.down = True  # no limits: the hold needs no spend, so the job runs
        with pytest.raises(Exception, match="no"):
            generate_video(
                org_a.pk,
                str(owner_a.pk),
                provider="veo",
                prompt="Two clips, the second refused",
                duration_seconds=14,
                aspect_ratio="16:9",
            )

        job = GenerationJob.objects.get()
        assert (job.status, job.clips_done, job.cost_micros) == ("failed", 1, clip)
        waiting = {row.id.split(":", 1)[1]: row for row in PendingCostEvent.objects.all()}
        assert set(waiting) == {"failed:1", "partial"}
        assert (waiting["failed:1"].cost_micros, waiting["partial"].cost_micros) == (0, clip)
        [hold] = holds(org_a.pk)
        assert (hold.status, hold.actual_micros) == (BudgetHold.Status.SETTLED, clip)

        store.down = False
        assert drain_cost_outbox().recorded == 2
        assert drain_cost_outbox().recorded == 0
        events = {e.id.split(":", 1)[1]: e for e in get_recent_media_events(org_a.pk)}
        assert set(events) == {"failed:1", "partial"}
        assert events["partial"].cost_micros == clip
