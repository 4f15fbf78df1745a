"""Caption limits per platform (reference/providers.md) and the fitter."""

import pytest

from playbooks.captions import (
    DISCLAIMER,
    PLATFORMS,
    caption_length,
    caption_problems,
    fit_caption,
    hashtags_in,
    twitter_weighted_length,
)

LONG = " ".join(f"word{n}" for n in range(12000))
TAGS = [f"#tag{n}" for n in range(12)]


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("https://example.com/a/very/long/path/that/is/long", 23),
        ("see https://bakedbot.ai now", 4 + 23 + 4),
        ("🔥", 2),
        ("👍🏽", 2),  # with a skin tone
        ("👨‍👩‍👧", 2),  # a ZWJ family
        ("🇺🇸", 2),  # a flag
        ("大麻", 4),
        ("café", 4),
        ("—", 1),  # U+2014 is in a weight-1 range
    ],
)
def test_x_counts_weighted_characters(text, weight):
    assert twitter_weighted_length(text) == weight


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_a_long_caption_is_fitted_within_the_platform_limit_with_the_disclaimer(platform):
    caption = fit_caption(platform, LONG, hashtags=TAGS, cta="Order ahead today.")
    assert caption_length(platform, caption) <= PLATFORMS[platform].max_length
    assert DISCLAIMER in caption
    assert caption_problems(platform, caption) == []
    assert caption.startswith("word0 word1")
    assert "…" in caption


def test_instagram_keeps_at_most_five_hashtags_including_ones_in_the_body():
    body = "New drop #one #two #three today #four #five #six"
    caption = fit_caption("instagram", body, hashtags=["#seven", "#one"])
    assert hashtags_in(caption) == ["#one", "#two", "#three", "#four", "#five"]
    assert caption.splitlines()[-1] == "#one #two #three #four #five"


def test_instagram_keeps_three_mentions_and_unlinks_the_rest():
    caption = fit_caption("instagram", "Thanks @a @b @c @d @e")
    assert "@a @b @c d e" in caption


def test_emoji_and_cjk_weigh_double_on_x():
    body = "🔥" * 200
    caption = fit_caption("twitter", body)
    assert twitter_weighted_length(caption) <= 280
    assert caption.count("🔥") < 140


def test_urls_count_23_on_x_however_long():
    url = "https://shop.example.com/" + "x" * 300
    caption = fit_caption("twitter", f"Deals: {url}")
    assert url in caption
    assert twitter_weighted_length(caption) <= 280


def test_a_body_that_says_21_plus_gets_no_second_line():
    caption = fit_caption("facebook", "Adults 21+ only: great deals.")
    assert DISCLAIMER not in caption
    assert caption_problems("facebook", caption) == []


def test_a_body_whose_21_plus_gets_cut_off_gets_the_disclaimer_back():
    body = LONG + " 21+ only"
    caption = fit_caption("twitter", body)
    assert DISCLAIMER in caption


def test_the_body_shrinks_first_then_hashtags_go_before_the_call_to_action():
    cta = "Order ahead " + "c" * 108
    tags = ["#" + "a" * 39, "#" + "b" * 39]
    caption = fit_caption("twitter", "x" * 150, hashtags=tags, cta=cta)
    assert twitter_weighted_length(caption) <= 280
    # Both hashtags would leave less than 40 characters for the message: the last one goes.
    assert hashtags_in(caption) == [tags[0]]
    assert cta in caption and DISCLAIMER in caption
    assert caption.startswith("x" * 40) and "…" in caption


def test_no_hashtags_when_not_allowed():
    caption = fit_caption("tiktok", "Drop #one #two", hashtags=["#three"], allow_hashtags=False)
    assert hashtags_in(caption) == []


def test_problems_name_what_is_wrong():
    problems = caption_problems("instagram", "x " * 1200 + " ".join(TAGS))
    assert any("characters; instagram allows 2200" in p for p in problems)
    assert any("12 hashtags; Instagram allows 5" in p for p in problems)
    assert any("21+" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("Visit bakedbot.ai", 6 + 23),  # a bare domain is a URL on X (ours said 17)
        ("bakedbot.ai/deals?x=1", 23),
        ("Shop at www.bakedbot.ai.", 8 + 23 + 1),
        ("email me at a@bakedbot.ai", 12 + 13),  # an address is not a URL
        ("大麻 bakedbot.ai 🔥", 4 + 1 + 23 + 1 + 2),
        ("こんにちは", 10),
        ("한국어", 6),
        ("😀😀😀", 6),
        ("👩🏽‍💻 coding", 2 + 7),
        ("e\u0301", 1),  # NFC: é is one character
    ],
)
def test_x_counts_by_x_rules_bare_domains_emoji_and_cjk(text, weight):
    assert twitter_weighted_length(text) == weight


@pytest.mark.parametrize(
    "body",
    [
        "Visit bakedbot.ai " * 40,
        "新品 bakedbot.ai 🔥 " * 40,
        "🌿" * 150 + " see bakedbot.ai and shop.example.com",
        "大麻" * 200,
        "Deals at dispensary.example.co.uk/today " * 20,
    ],
)
def test_every_generated_x_caption_is_within_280_by_x_count(body):
    caption = fit_caption(
        "twitter", body, hashtags=["#deals", "#bakedbot"], cta="Visit bakedbot.ai"
    )
    assert twitter_weighted_length(caption) <= 280
    assert caption_problems("twitter", caption) == []
    assert DISCLAIMER in caption
