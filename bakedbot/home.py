"""The super admin's landing page is made of panels the apps contribute: ``bakedbot`` sits below
every app and imports none, so each app registers its panel (in its ``AppConfig.ready``) and the
dashboard view renders whatever is registered, in order."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    order: int
    template: str
    context: Callable[[HttpRequest], dict]


_panels: dict[str, HomePanel] = {}


def register_home_panel(
    name: str, *, order: int, template: str, context: Callable[[HttpRequest], dict]
) -> None:
    """Add (or replace) the panel ``name``: ``template`` rendered with ``context(request)``."""
    _panels[name] = HomePanel(order, template, context)


def home_panels(request: HttpRequest) -> list[tuple[str, dict]]:
    """``(template, context)`` of every registered panel, in order."""
    return [
        (panel.template, panel.context(request))
        for panel in sorted(_panels.values(), key=lambda panel: panel.order)
    ]
