"""What the page and selector benchmarks share: a throw-away Django on a fresh SQLite database,
static files served without collectstatic, and median/p99 timings. Imported by the scripts in
this folder (run as ``.venv/bin/python tests/bench/<name>.py``, so this folder is on the path)."""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_django(
    directory: str | Path | None = None,
    *,
    database_url: str = "",
    engine: str = "",
    migrate: bool = True,
    **environment: str,
) -> None:
    """Production settings (``DEBUG`` off: no SQL logging) on the SQL cost store, with a database
    (``database_url``, else SQLite) and media files in ``directory``, answering Django's test
    client; ``environment`` adds or overrides settings, ``engine`` swaps the database backend;
    then migrate (unless ``migrate=False``: the caller migrates once its server is up)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakedbot.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.update(DEBUG="0", COSTS_STORE="sql")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    if directory is not None:
        os.environ["MEDIA_ROOT"] = f"{directory}/media"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory}/bench.sqlite3"
    os.environ.update(environment)
    import django
    from django.conf import settings

    if engine:
        settings.DATABASES["default"]["ENGINE"] = engine
    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def serve_static_from_finders() -> None:
    """Plain static URLs served from the finders, through the same middleware as production
    (whose settings want collectstatic's manifest)."""
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=True,
        WHITENOISE_AUTOREFRESH=True,
    ).enable()


def timed(fn: Callable[[], object], runs: int) -> dict:
    """``{"median_ms", "p99_ms"}`` of ``runs`` calls of ``fn``."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return {"median_ms": round(statistics.median(times), 2), "p99_ms": round(p99, 2)}


def organisation_with_owner(slug: str):
    """A brand organisation ``org_<slug>`` and a test client logged in as its owner."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bakedbot.models import Membership, Organisation

    org = Organisation.objects.create(id=f"org_{slug}", name=slug, slug=slug, kind="brand")
    user = get_user_model().objects.create_user(f"{slug}@example.test")
    Membership.objects.create(user=user, organisation=org, role="owner")
    client = Client()
    client.force_login(user)
    return org, client


def create_presets(tenant_id: str, count: int) -> None:
    """``count`` custom presets, through ``create_style_preset``, in 15 tags."""
    from presets.services import create_style_preset

    for n in range(count):
        create_style_preset(
            tenant_id=tenant_id,
            data={
                "name": f"Preset {n:04d}",
                "style_prompt": "Soft light, clean background. " * 10,
                "aspect_ratios": ["1:1", "4:5", "16:9"],
                "tags": [f"tag{n % 15}", "bench"],
            },
        )
