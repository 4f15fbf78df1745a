"""A slot for style recommendations, filled by the app that can make them.

People choose a style preset in several places — the Creative Center's preset picker, the A/B
wizard's variant step, a playbook's image and video steps — but the advice comes from A/B-test
results, and ``abtests`` sits above ``presets`` and ``media`` (and beside ``playbooks``). So the
A/B app registers a provider here in its ``AppConfig.ready`` and those pages ask this module;
with no provider registered they show nothing. ``templates/presets/_recommendations.html``
draws a panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


def signed_percent(x: float) -> str:
    """A relative lift as a whole signed percentage: ``+18%``, ``-2%`` (a minus sign), ``0%``."""
    value = round(x * 100)
    if value > 0:
        return f"+{value}%"
    return f"\N{MINUS SIGN}{-value}%" if value < 0 else "0%"


@dataclass(frozen=True)
class PresetLift:
    """A preset's expected relative lift on a metric against the control of the tests it ran
    in (0.18 = +18%) with its 95% interval, and how people read them."""

    preset_id: str
    name: str
    lift: float
    ci_low: float
    ci_high: float

    @property
    def lift_text(self) -> str:
        return signed_percent(self.lift)

    @property
    def interval_text(self) -> str:
        return f"[{signed_percent(self.ci_low)}, {signed_percent(self.ci_high)}]"


@dataclass(frozen=True)
class RecommendedPreset(PresetLift):
    """What a picker shows of a preset: its lift and interval, and the evidence in words."""

    evidence: str


@dataclass(frozen=True)
class StyleRecommendationPanel:
    """What a preset picker shows: the top presets for ``metric`` (best first) and a note —
    where the advice comes from, or why there is none yet ("Not enough evidence yet: …")."""

    metric: str
    metric_label: str
    presets: tuple[RecommendedPreset, ...]
    note: str
    # The URL name of the full recommendations page (built with the tenant_url tag).
    page_url_name: str = ""


class StyleRecommendationProvider(Protocol):
    def __call__(self, *, tenant_id: str, metric: str, limit: int) -> StyleRecommendationPanel:
        """The panel for one organisation; only aggregates of other organisations' data."""


_providers: list[StyleRecommendationProvider] = []


def register_style_recommendations(provider: StyleRecommendationProvider) -> None:
    """Install the provider (one; registering again replaces it, as a reloaded app does)."""
    _providers[:] = [provider]


def style_recommendations(
    *, tenant_id: str, metric: str = "ctr", limit: int = 3
) -> StyleRecommendationPanel | None:
    """The recommendation panel for a tenant choosing a preset, or None when no app provides
    recommendations."""
    if not _providers:
        return None
    return _providers[0](tenant_id=tenant_id, metric=metric, limit=limit)
