"""POST /api/v1/playbooks/{id}/runs (the webhook trigger) and GET .../runs/{run_id}."""

import pytest
from django_q.models import OrmQ

from playbooks.models import Playbook, PlaybookRun
from playbooks.runner import execute_playbook_run
from playbooks.services import install_playbook_template, seed_playbook_templates
from tests.playbooks.conftest import simulated_providers  # noqa: F401 (autouse: no keys)
from tests.playbooks.helpers import make_shop


def _install(org) -> Playbook:
    assert seed_playbook_templates().success
    installed = install_playbook_template("weekly-deals-video", org.pk)
    return Playbook.objects.get(pk=installed.playbook_id)


@pytest.fixture
def playbook(org_a):
    make_shop(org_a)
    return _install(org_a)


def runs_url(playbook) -> str:
    return f"/playbooks/{playbook.pk}/runs"


def test_it_starts_a_run_that_the_worker_completes(
    api_a, playbook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.post(runs_url(playbook), {"variables": {"campaign": "420"}})

    assert response.status_code == 202, response.json()
    body = response.json()
    run = PlaybookRun.objects.get()
    assert body["run_id"] == run.pk
    assert body["status"] == "queued"
    assert body["url"] == f"http://testserver/dashboard/playbooks/runs/{run.pk}"
    assert body["status_url"] == f"http://testserver/api/v1/playbooks/{playbook.pk}/runs/{run.pk}"
    assert (run.triggered_by, run.user, run.dry_run) == ("webhook", None, False)
    assert run.variables == {"campaign": "420"}
    assert run.run_key == f"webhook:{run.pk}"
    assert [row.status for row in run.step_results.all()] == ["pending"] * 6
    queued = OrmQ.objects.get()
    assert queued.task["func"] == "playbooks.tasks.run_playbook"
    assert queued.task["args"] == (run.pk,)

    assert execute_playbook_run(run.pk).status == "succeeded"
    status = api_a.get(f"/playbooks/{playbook.pk}/runs/{run.pk}").json()
    assert status["status"] == "succeeded"
    assert status["triggered_by"] == "webhook"
    assert [s["status"] for s in status["steps"]] == ["succeeded"] * 6
    video = next(s for s in status["steps"] if s["type"] == "generate_video")
    assert video["result"]["tracking_event"]["simulated"] is True
    assert status["total_cost_micros"] == sum(s["cost_micros"] for s in status["steps"]) > 0


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_no_body_starts_a_run(api_a, playbook, content_type):
    response = api_a.client.post(
        f"/api/v1{runs_url(playbook)}",
        "",
        content_type,
        headers=api_a.headers | {"Idempotency-Key": "k-1"},
    )
    assert response.status_code == 202, response.json()
    run = PlaybookRun.objects.get()
    assert (run.variables, run.dry_run, run.run_key) == ({}, False, f"webhook:{playbook.pk}:k-1")


def test_a_repeated_delivery_answers_the_first_run(
    api_a, playbook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api_a.post(runs_url(playbook), {"dry_run": True}, **{"Idempotency-Key": "d-9"})
        # The same body spelt otherwise (defaults written out) is the same request.
        again = api_a.post(
            runs_url(playbook), {"variables": {}, "dry_run": True}, **{"Idempotency-Key": "d-9"}
        )
        other = api_a.post(runs_url(playbook), {}, **{"Idempotency-Key": "d-10"})

    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 202)
    assert again.json() == first.json()
    assert first.json()["dry_run"] is True
    assert PlaybookRun.objects.count() == 2
    assert OrmQ.objects.count() == 2


def test_the_same_key_with_another_body_is_refused_and_starts_nothing(api_a, playbook):
    first = api_a.post(runs_url(playbook), {"dry_run": True}, **{"Idempotency-Key": "d-9"})
    for body in ({}, {"dry_run": False}, {"dry_run": True, "variables": {"campaign": "420"}}):
        response = api_a.post(runs_url(playbook), body, **{"Idempotency-Key": "d-9"})
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "idempotency_key_reused"
        assert "d-9" in error["message"] and "different body" in error["message"]
        assert list(error["fields"]) == ["Idempotency-Key"]
    assert PlaybookRun.objects.count() == 1
    again = api_a.post(runs_url(playbook), {"dry_run": True}, **{"Idempotency-Key": "d-9"})
    assert again.status_code == 200 and again.json()["run_id"] == first.json()["run_id"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_a_non_finite_number_is_refused_naming_the_field_and_uses_no_key(api_a, playbook, number):
    """Was: the save failed, was taken for a race on the key, and the lookup of the run that did
    not exist raised DoesNotExist (500)."""
    response = api_a.client.post(
        f"/api/v1{runs_url(playbook)}",
        '{"variables": {"x": ' + number + "}}",
        content_type="application/json",
        headers=api_a.headers | {"Idempotency-Key": "nan-1"},
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["variables.x"]
    assert not PlaybookRun.objects.exists()
    good = api_a.post(runs_url(playbook), {"variables": {"x": 1}}, **{"Idempotency-Key": "nan-1"})
    assert good.status_code == 202


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dry_run": 0}, "dry_run"),
        ({"dry_run": "true"}, "dry_run"),
        ({"dry_run": None}, "dry_run"),
        ({"variables": {"x": 2**63}}, "variables.x"),
        ({"variables": {"x": "a\x00b"}}, "variables.x"),
        ({"variables": {"guidance": 5}}, "variables.guidance"),
        ({"variables": []}, "variables"),
    ],
)
def test_it_refuses_what_the_schema_refuses(api_a, playbook, body, field):
    response = api_a.post(runs_url(playbook), body, **{"Idempotency-Key": "strict"})
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"], response.json()
    assert not PlaybookRun.objects.exists()


def test_a_repeat_after_disabling_still_answers_the_first_run(api_a, playbook):
    first = api_a.post(runs_url(playbook), {}, **{"Idempotency-Key": "d-1"})
    Playbook.objects.filter(pk=playbook.pk).update(enabled=False)
    again = api_a.post(runs_url(playbook), {}, **{"Idempotency-Key": "d-1"})
    assert again.status_code == 200
    assert again.json()["run_id"] == first.json()["run_id"]


def test_a_disabled_playbook_is_refused(api_a, playbook):
    Playbook.objects.filter(pk=playbook.pk).update(enabled=False)
    response = api_a.post(runs_url(playbook), {})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert "is disabled" in error["message"] and "enable it" in error["message"]
    assert not PlaybookRun.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"variables": []}, "variables"),
        ({"dry_run": "maybe"}, "dry_run"),
        ({"surprise": 1}, "surprise"),
        ({"variables": {"guidance": 7}}, "variables.guidance"),
        ({"variables": {"guidance": "x" * 1001}}, "variables.guidance"),
        ({"variables": {"blob": "x" * 10_001}}, "variables"),
    ],
)
def test_a_bad_body_names_the_field(api_a, playbook, body, field):
    response = api_a.post(runs_url(playbook), body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not PlaybookRun.objects.exists()


def test_a_bad_idempotency_key_is_refused(api_a, playbook):
    response = api_a.post(runs_url(playbook), {}, **{"Idempotency-Key": "no spaces"})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not PlaybookRun.objects.exists()


def test_a_body_that_is_not_json_is_refused(api_a, playbook):
    response = api_a.client.post(
        f"/api/v1{runs_url(playbook)}", "{not json", "application/json", headers=api_a.headers
    )
    assert response.status_code == 400
    assert not PlaybookRun.objects.exists()


def test_another_tenants_playbook_and_run_are_not_found(api_a, api_b, playbook, org_b):
    run = api_a.post(runs_url(playbook), {}).json()
    assert api_b.post(runs_url(playbook), {}).status_code == 404
    response = api_b.get(f"/playbooks/{playbook.pk}/runs/{run['run_id']}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_a.post("/playbooks/pb_unknown/runs", {}).status_code == 404
    # A run only under its own playbook.
    theirs = _install(org_b)
    assert api_a.get(f"/playbooks/{theirs.pk}/runs/{run['run_id']}").status_code == 404
    assert PlaybookRun.objects.count() == 1


def test_without_a_token_it_is_unauthenticated(api_anonymous, playbook):
    response = api_anonymous.post(runs_url(playbook), {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert api_anonymous.get(f"{runs_url(playbook)}/run_x").status_code == 401
    assert not PlaybookRun.objects.exists()


def test_a_platform_token_reads_but_does_not_start(api_platform, api_a, playbook, org_a):
    response = api_platform.post(runs_url(playbook), {})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not PlaybookRun.objects.exists()

    run_id = api_a.post(runs_url(playbook), {}).json()["run_id"]
    path = f"{runs_url(playbook)}/{run_id}"
    assert api_platform.get(path, {"tenant_id": org_a.pk}).json()["run_id"] == run_id
    assert api_platform.get(path).status_code == 400  # names the organisation
