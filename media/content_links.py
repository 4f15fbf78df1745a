"""Links from creative content to where it came from.

Apps that submit content for approval (the playbooks) depend on ``media``, never the other way
round, so each registers how to link to its own page for the content it submitted (in its
``AppConfig.ready``); the Creative Center shows the link — for rejected content, the way to make
it again with the reviewer's comment.
"""

from __future__ import annotations

from collections.abc import Callable

from media.models import CreativeContent

SourceLink = Callable[[CreativeContent], str | None]

_source_links: dict[str, SourceLink] = {}


def register_content_source_link(source: str, link: SourceLink) -> None:
    """``link(content)`` answers the URL of the page that made content of ``source`` (one of
    ``CreativeContent.Source``), or None when it has none."""
    if source not in CreativeContent.Source.values:
        raise ValueError(f"Unknown content source {source!r}")
    _source_links[source] = link


def content_source_link(content: CreativeContent) -> str | None:
    link = _source_links.get(content.source)
    return link(content) if link is not None else None
