"""BM25 over character pairs and words, and reciprocal rank fusion."""

from __future__ import annotations

from knowledge.rank import BM25, fuse, terms

DOCUMENTS = {
    "wages": ["老板拖欠工资怎么办", "工资不发", "boss didnt pay my wages"],
    "injury": ["上班受伤算工伤吗", "在工地摔伤了", "injured at work"],
    "leave": ["年假怎么休", "公司不让休年假", "annual leave"],
}


def test_terms_are_chinese_character_pairs_and_english_words_without_fillers() -> None:
    assert terms("欠薪 my wages") == ["wages", "欠薪"]
    assert terms("工资不发") == ["工资", "资不", "不发"]
    assert terms("伤") == ["伤"]


def test_traditional_and_full_width_text_has_the_same_terms_as_simplified() -> None:
    assert terms("工資ＡＢＣ") == terms("工资abc")


def test_a_long_story_ranks_the_document_that_explains_it_first() -> None:
    index = BM25(DOCUMENTS)
    story = "我在工地上干活的时候从架子上摔伤了，老板一直不管，这种情况算工伤吗"

    ranked = index.search(story)

    assert ranked[0].key == "injury"
    assert ranked[0].score > 0
    assert ranked[0].matched >= 3


def test_english_words_find_their_document() -> None:
    assert BM25(DOCUMENTS).search("my boss wont pay wages")[0].key == "wages"


def test_a_text_sharing_no_term_finds_nothing() -> None:
    index = BM25(DOCUMENTS)
    assert index.search("天气真好") == []
    assert index.search("") == []
    assert index.known("天气真好") == 0.0


def test_rare_terms_weigh_more_than_terms_every_document_has() -> None:
    index = BM25({"a": ["工资 年假"], "b": ["工资 工伤"], "c": ["工资 加班"]})
    assert index.idf["年假"] > index.idf["工资"]
    assert index.search("工资 年假")[0].key == "a"


def test_fusion_rewards_keys_both_rankings_place_high() -> None:
    fused = [key for key, _ in fuse([["a", "b", "c"], ["b", "c", "a"]])]
    assert fused[0] == "b"
    assert set(fused) == {"a", "b", "c"}


def test_fusion_keeps_keys_only_one_ranking_has() -> None:
    assert [key for key, _ in fuse([["a"], []])] == ["a"]
