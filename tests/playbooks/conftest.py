import pytest

from playbooks.runner import execute_playbook_run
from playbooks.services import install_playbook_template, seed_playbook_templates
from tests.media.providers.fakes import FakeProvider
from tests.playbooks.fakes import FakeMediaService, FakeText
from tests.playbooks.helpers import make_shop


@pytest.fixture
def templates(db):
    result = seed_playbook_templates()
    assert result["success"], result
    return result


@pytest.fixture
def fake_media():
    return FakeMediaService()


@pytest.fixture
def fake_text():
    return FakeText()


@pytest.fixture
def run_now(fake_media, fake_text):
    """Execute a queued run in this process with the fakes."""

    def _run(run_or_id):
        run_id = getattr(run_or_id, "pk", run_or_id)
        return execute_playbook_run(run_id, media=fake_media, text=fake_text)

    return _run


@pytest.fixture
def install(templates):
    from playbooks.models import Playbook

    def _install(template_id, org, **changes):
        result = install_playbook_template(template_id, org.pk)
        assert result["success"], result
        playbook = Playbook.objects.select_related("template", "organisation").get(
            pk=result["playbook_id"]
        )
        for name, value in changes.items():
            setattr(playbook, name, value)
        if changes:
            playbook.save()
        return playbook

    return _install


@pytest.fixture
def shop(org_a):
    return make_shop(org_a)


@pytest.fixture
def fake_server():
    server = FakeProvider()
    yield server
    server.close()
