"""Which cost store answers: the backend ``settings.COSTS_STORE`` names (``sql`` or ``firestore``),
one instance per configuration, or a repository a caller put in place with ``use_repository``.

The backends import the interface (``costs.repository``) and this module imports the backends, so
the interface never depends on its implementations.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from costs.firestore_layout import DEFAULT_GLOBAL_SHARDS, DEFAULT_TENANT_SHARDS
from costs.repository import CostRepository

_lock = threading.Lock()
_instances: dict[tuple, CostRepository] = {}
_substitutes: list[CostRepository] = []


def _settings_key() -> tuple:
    return (
        settings.COSTS_STORE,
        getattr(settings, "FIRESTORE_PROJECT", ""),
        getattr(settings, "FIRESTORE_DATABASE", "(default)"),
        getattr(settings, "FIRESTORE_EMULATOR_HOST", ""),
        settings.COSTS_STORE_TIMEOUT_SECONDS,
        getattr(settings, "FIRESTORE_TENANT_SHARDS", DEFAULT_TENANT_SHARDS),
        getattr(settings, "FIRESTORE_GLOBAL_SHARDS", DEFAULT_GLOBAL_SHARDS),
    )


def get_repository() -> CostRepository:
    """The repository in use: the innermost ``use_repository`` one, else the backend chosen by
    ``settings.COSTS_STORE`` (one instance per configuration)."""
    if _substitutes:
        return _substitutes[-1]
    key = _settings_key()
    with _lock:
        repository = _instances.get(key)
        if repository is None:
            # Imported here: the Firestore client is heavy and the SQL store needs the ORM ready.
            if key[0] == "firestore":
                from costs.firestore_layout import Layout
                from costs.repository_firestore import FirestoreCostRepository

                repository = FirestoreCostRepository(
                    project=key[1],
                    database=key[2],
                    emulator_host=key[3],
                    timeout=key[4],
                    layout=Layout(tenant_shards=key[5], global_shards=key[6]),
                )
            else:
                from costs.repository_sql import SqlCostRepository

                repository = SqlCostRepository()
            _instances[key] = repository
    return repository


@contextmanager
def use_repository(repository: CostRepository) -> Iterator[CostRepository]:
    """Make ``get_repository()`` answer ``repository`` (every thread) inside the ``with`` block:
    the seam by which unit tests put a fake store under the services and selectors."""
    with _lock:
        _substitutes.append(repository)
    try:
        yield repository
    finally:
        with _lock:
            _substitutes.remove(repository)


def reset_repositories() -> None:
    """Forget the backend instances (tests switch stores and emulator projects)."""
    with _lock:
        for repository in _instances.values():
            close = getattr(repository, "close", None)
            if close:
                close()
        _instances.clear()
