import pytest

from presets.builtins import BUILTINS_BY_ID
from presets.domain import ComposedPrompt, compose_prompt

LUXURY = BUILTINS_BY_ID["builtin-luxury"]


def test_it_appends_the_style_prompt_and_takes_the_negative_prompt_and_first_ratio():
    composed = compose_prompt("  A jar of Blue Dream on a marble counter ", LUXURY)
    assert composed == ComposedPrompt(
        f"A jar of Blue Dream on a marble counter. {LUXURY.style_prompt}",
        LUXURY.negative_prompt,
        "4:5",
    )


def test_it_keeps_the_base_prompts_own_punctuation():
    composed = compose_prompt("Weekend deals!", LUXURY)
    assert composed.prompt.startswith("Weekend deals! Luxury premium")


def test_it_lets_an_explicit_aspect_ratio_win():
    assert compose_prompt("x", LUXURY, aspect_ratio="16:9").aspect_ratio == "16:9"
    with pytest.raises(ValueError, match="aspect_ratio"):
        compose_prompt("x", LUXURY, aspect_ratio="2:1")


def test_it_passes_the_prompt_through_without_a_preset():
    assert compose_prompt(" Plain prompt ", None) == ComposedPrompt("Plain prompt", "", None)
    assert compose_prompt("Plain", None, aspect_ratio="9:16").aspect_ratio == "9:16"


def test_it_gives_the_style_prompt_alone_for_an_empty_base_prompt():
    assert compose_prompt("  ", LUXURY).prompt == LUXURY.style_prompt


def test_it_says_the_negative_prompt_in_words_for_providers_without_the_field():
    composed = compose_prompt("Deals", LUXURY)
    assert composed.as_single_prompt() == f"{composed.prompt} Avoid: {LUXURY.negative_prompt}"
    assert compose_prompt("Deals", None).as_single_prompt() == "Deals"
