import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from bakedbot.env import env_bool, env_choice, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_it_refuses_a_bad_boolean_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_it_parses_booleans_ints_lists_and_choices(monkeypatch):
    monkeypatch.setenv("A_FLAG", "on")
    monkeypatch.setenv("A_NUMBER", " 42 ")
    monkeypatch.setenv("A_LIST", "a.test, b.test,,")
    monkeypatch.setenv("A_CHOICE", "firestore")
    assert env_bool("A_FLAG", False) is True
    assert env_int("A_NUMBER", 1) == 42
    assert env_list("A_LIST") == ["a.test", "b.test"]
    assert env_choice("A_CHOICE", ("sql", "firestore"), "sql") == "firestore"


def test_it_refuses_bad_numbers_and_choices(monkeypatch):
    monkeypatch.setenv("A_NUMBER", "1.5")
    with pytest.raises(ImproperlyConfigured, match="A_NUMBER"):
        env_int("A_NUMBER", 1)
    monkeypatch.setenv("A_NUMBER", "-3")
    with pytest.raises(ImproperlyConfigured, match="A_NUMBER must be at least 0"):
        env_int("A_NUMBER", 1, minimum=0)
    monkeypatch.setenv("A_CHOICE", "mongo")
    with pytest.raises(ImproperlyConfigured, match="A_CHOICE must be one of sql, firestore"):
        env_choice("A_CHOICE", ("sql", "firestore"), "sql")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"DEBUG": "perhaps"}, "DEBUG must be one of"),
        ({"DEBUG": "1", "COSTS_STORE": "mongo"}, "COSTS_STORE must be one of sql, firestore"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        ({"DEBUG": "1", "Q_TIMEOUT": "600", "Q_RETRY": "300"}, "Q_RETRY (300) must be greater"),
        ({"DEBUG": "1", "COSTS_STORE": "firestore"}, "FIRESTORE_PROJECT"),
        # A digit that is not ASCII passes str.isdigit but not int().
        ({"DEBUG": "1", "MEDIA_PROVIDER_CONCURRENCY": "veo=\u00b2"}, "MEDIA_PROVIDER_CONCURRENCY"),
    ],
)
def test_it_fails_start_up_on_bad_settings_naming_the_variable(env, message):
    result = _run_manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_it_passes_the_deployment_checklist_with_debug_off():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-real-secret-" + "x" * 60,
        ALLOWED_HOSTS="media.bakedbot.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_runs_sqlite_in_wal_mode_with_immediate_transactions(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_it_keeps_the_job_timeout_below_the_redelivery_time():
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
    assert settings.Q_CLUSTER["orm"] == "default"
