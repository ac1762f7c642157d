"""Typed text: tidied and checked for length once, for every service."""

from __future__ import annotations

import pytest

from bot.core.text import TextError, checked_text, short_label


def _reason(text: str, **bounds: int) -> tuple[str, int]:
    with pytest.raises(TextError) as caught:
        checked_text(text, **bounds)
    return caught.value.reason, caught.value.limit


def test_an_empty_text_is_refused() -> None:
    assert _reason("", limit=10) == ("empty", 0)


def test_a_text_of_spaces_and_line_breaks_only_is_empty() -> None:
    assert _reason(" \t\u3000\n ", limit=10) == ("empty", 0)
    assert _reason(" \n\n ", limit=10, minimum=3) == ("empty", 0)


def test_an_optional_text_may_be_empty() -> None:
    assert checked_text("   ", limit=10, layout="ends", form=None, required=False) == ""


def test_a_text_at_the_limit_is_taken_tidied() -> None:
    assert checked_text("  工资  拖欠\t三个月 ", limit=10) == "工资 拖欠 三个月"
    assert checked_text("a" * 10, limit=10) == "a" * 10


def test_a_text_over_the_limit_is_refused_with_the_limit() -> None:
    assert _reason("a" * 11, limit=10) == ("too_long", 10)
    # spaces that are tidied away do not count
    assert checked_text("a" * 5 + "      " + "b" * 4, limit=10) == "aaaaa bbbb"


def test_a_text_below_the_minimum_is_refused_with_the_minimum() -> None:
    assert _reason("太短", limit=300, minimum=10) == ("too_short", 10)
    assert checked_text("一二三四五六七八九十", limit=300, minimum=10) == "一二三四五六七八九十"


def test_too_long_is_told_before_too_short() -> None:
    assert _reason("abcdef", limit=5, minimum=8) == ("too_long", 5)


def test_lines_keep_their_breaks_and_lose_blank_ones() -> None:
    text = "  第一行   有空格 \n\n  \n第二行\n"
    assert checked_text(text, limit=20, layout="lines") == "第一行 有空格\n第二行"
    assert checked_text(text, limit=20) == "第一行 有空格 第二行"


def test_ends_only_strips_both_ends() -> None:
    assert checked_text("  a  b\n c ", limit=10, layout="ends", form=None) == "a  b\n c"


def test_nfkc_folds_full_width_letters_nfc_keeps_them() -> None:
    assert checked_text("ＡＢＣ　１２３", limit=10, form="NFKC") == "ABC 123"
    assert checked_text("ＡＢＣ", limit=10) == "ＡＢＣ"


def test_a_label_that_fits_is_kept_on_one_line() -> None:
    assert short_label("How long does  labour\narbitration take?", 40) == (
        "How long does labour arbitration take?"
    )


def test_an_english_label_is_cut_between_words_with_an_ellipsis() -> None:
    title = "How much severance (economic compensation) do I get?"
    label = short_label(title, 40)
    assert label == "How much severance (economic…"
    assert len(label) <= 40


def test_a_cut_label_does_not_end_on_punctuation_or_an_open_bracket() -> None:
    assert short_label("I am pregnant. Can my employer dismiss me?", 16) == "I am pregnant…"
    assert short_label("Severance (economic compensation)", 14) == "Severance…"


def test_a_joined_word_is_not_split_at_its_hyphen_or_apostrophe() -> None:
    assert short_label("Rights of a full-time worker", 16) == "Rights of a…"
    assert short_label("The employer's duties and mine", 14) == "The…"


def test_a_chinese_label_is_cut_by_characters() -> None:
    label = short_label("劳动合同到期公司不续签，我能拿到经济补偿金吗", 12)
    assert label == "劳动合同到期公司不续签…"
    assert len(label) == 12


def test_a_single_long_word_is_cut_inside_it() -> None:
    assert short_label("Supercalifragilisticexpialidocious", 10) == "Supercali…"


def test_every_label_fits_its_limit() -> None:
    title = "As a dispatched worker, do I turn to the agency or the user company?"
    for limit in range(1, len(title) + 2):
        assert len(short_label(title, limit)) <= limit
