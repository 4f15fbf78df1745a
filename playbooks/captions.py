"""Social caption limits (``reference/providers.md``) and a fitter that keeps any caption inside
them while always keeping the 21+ / responsible-use line.

X counts weighted characters by its own rules, which ``twitter-text-parser`` implements (X's
conformance suite): a URL counts 23 — a bare domain like bakedbot.ai is a URL — an emoji
sequence 2, a character in the Latin/common ranges 1 and anything else (CJK, ...) 2. The other
platforms count characters; we count UTF-16 code units there, which is never less than the
code-point count, so a caption we accept is never too long by either reading.
"""

import re
from dataclasses import dataclass

from twitter_text import parse_tweet

DISCLAIMER = "For adults 21+ only. Please consume responsibly."
DISCLAIMER_MARK = re.compile(r"\b21\+")


@dataclass(frozen=True)
class PlatformLimits:
    max_length: int
    max_hashtags: int
    max_mentions: int | None
    weighted: bool = False


PLATFORMS: dict[str, PlatformLimits] = {
    # Instagram: 5 hashtags since Dec 2025 (was 30); 3 @mentions.
    "instagram": PlatformLimits(2200, 5, 3),
    # X: no hashtag rule; two keep the 280 weighted characters for the message.
    "twitter": PlatformLimits(280, 2, None, weighted=True),
    "facebook": PlatformLimits(63206, 5, None),
    "tiktok": PlatformLimits(2200, 5, None),
}

HASHTAG_PATTERN = re.compile(r"(?<![\w#])#(\w+)")
MENTION_PATTERN = re.compile(r"(?<![\w@])@(\w+)")


def twitter_weighted_length(text: str) -> int:
    """X's weighted length, by X's own published rules (twitter-text v3 config, as implemented
    by ``twitter-text-parser``): a URL — bare domains such as bakedbot.ai included — counts 23,
    an emoji sequence 2, CJK 2, Latin and common punctuation 1, after NFC normalisation."""
    return parse_tweet(text).weightedLength


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def caption_length(platform: str, text: str) -> int:
    """The caption's length as the platform counts it against its limit."""
    limits = PLATFORMS[platform]
    return twitter_weighted_length(text) if limits.weighted else utf16_length(text)


def hashtags_in(text: str) -> list[str]:
    return [f"#{tag}" for tag in HASHTAG_PATTERN.findall(text)]


def _dedupe(tags: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for tag in tags:
        key = tag.lower()
        if key not in seen:
            seen.add(key)
            result.append(tag)
    return result


def _limit_mentions(text: str, limit: int | None) -> str:
    if limit is None:
        return text
    count = 0

    def keep_or_plain(match: re.Match) -> str:
        nonlocal count
        count += 1
        return match.group(0) if count <= limit else match.group(1)

    return MENTION_PATTERN.sub(keep_or_plain, text)


def _truncate(platform: str, text: str, budget: int) -> str:
    """The longest prefix of ``text`` (cut at a word, ending in “…”) within ``budget``."""
    if caption_length(platform, text) <= budget:
        return text
    if budget <= 1:
        return ""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if caption_length(platform, text[:middle].rstrip() + "…") <= budget:
            low = middle
        else:
            high = middle - 1
    prefix = text[:low]
    space = max(prefix.rfind(" "), prefix.rfind("\n"))
    if space >= len(prefix) // 2:
        prefix = prefix[:space]
    return prefix.rstrip(" \n,;:-—") + "…" if prefix.strip() else ""


MIN_BODY = 40


def fit_caption(
    platform: str,
    body: str,
    *,
    hashtags: list[str] | tuple[str, ...] = (),
    cta: str = "",
    disclaimer: str = DISCLAIMER,
    allow_hashtags: bool = True,
) -> str:
    """Compose body, call to action, the responsible-use line and hashtags within the platform's
    limits. Hashtags found in the body move to the end (at most the platform's number, none
    without ``allow_hashtags``); mentions
    past the platform's limit lose their “@”; the body is shortened (at a word, with “…”) before
    the hashtags and then the call to action are dropped; the disclaimer always stays."""
    limits = PLATFORMS[platform]
    found = hashtags_in(body)
    body = HASHTAG_PATTERN.sub("", body)
    body = re.sub(r"[ \t]+", " ", body)
    body = re.sub(r" *\n *", "\n", body)
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    body = _limit_mentions(body, limits.max_mentions)
    tags = _dedupe([*found, *(f"#{tag.lstrip('#')}" for tag in hashtags)])
    tags = tags[: limits.max_hashtags] if allow_hashtags else []
    # A body that already says 21+ needs no second line, unless shortening it cuts that out.
    if DISCLAIMER_MARK.search(body):
        caption = _compose_within(platform, body, cta.strip(), tags, "")
        if DISCLAIMER_MARK.search(caption):
            return caption
    return _compose_within(platform, body, cta.strip(), tags, disclaimer)


def _compose_within(platform: str, body: str, cta: str, tags: list[str], disclaimer: str) -> str:
    limits = PLATFORMS[platform]

    def compose(text: str, cta_text: str, tag_list: list[str]) -> str:
        parts = [text, cta_text, disclaimer, " ".join(tag_list)]
        return "\n\n".join(part for part in parts if part)

    while True:
        tail = compose("", cta, tags)
        budget = limits.max_length - caption_length(platform, tail) - (2 if tail else 0)
        if budget >= min(MIN_BODY, caption_length(platform, body)) or not (tags or cta):
            break
        if tags:
            tags = tags[:-1]
        else:
            cta = ""
    caption = compose(_truncate(platform, body, max(budget, 0)), cta, tags)
    if caption_length(platform, caption) > limits.max_length:
        # Only a disclaimer longer than the whole limit could get here.
        caption = _truncate(platform, caption, limits.max_length)
    return caption


def caption_problems(platform: str, caption: str) -> list[str]:
    """What is wrong with a caption for a platform (empty when it is fine)."""
    limits = PLATFORMS[platform]
    problems = []
    length = caption_length(platform, caption)
    if not caption.strip():
        problems.append("the caption is empty")
    if length > limits.max_length:
        unit = "weighted characters" if limits.weighted else "characters"
        problems.append(f"the caption is {length} {unit}; {platform} allows {limits.max_length}")
    tag_count = len(hashtags_in(caption))
    if platform == "instagram" and tag_count > limits.max_hashtags:
        problems.append(f"{tag_count} hashtags; Instagram allows {limits.max_hashtags}")
    if not DISCLAIMER_MARK.search(caption):
        problems.append("the 21+ / responsible-use line is missing")
    return problems


# What a caption call is expected to use, in tokens: the instructions and prompt (about 350
# tokens whatever the platform) and the caption, about 4 characters a token of the platform's
# limit, at most 600 (we ask for a caption, not an essay). A playbook's estimate prices these, and
# a simulated caption is recorded at them: the price it would have cost, equal to its estimate.
EXPECTED_CAPTION_INPUT_TOKENS = 350
EXPECTED_CAPTION_OUTPUT_TOKENS_MAX = 600


def expected_caption_tokens(platform: str) -> tuple[int, int]:
    """``(input tokens, output tokens)`` a caption for ``platform`` is expected to use."""
    limit = PLATFORMS[platform].max_length
    return EXPECTED_CAPTION_INPUT_TOKENS, min(-(-limit // 4), EXPECTED_CAPTION_OUTPUT_TOKENS_MAX)
