"""Pinyin names of places and companies read back into the reports' Chinese (qa.pinyin_names)."""

from __future__ import annotations

from decimal import Decimal

from index.models import Fact
from qa.pinyin_names import name_phrases, pinyin_index, spell_in_chinese


def _sentence(quote: str) -> Fact:
    return Fact(report="r.txt", source="text", table="", row_label="", column="", value=Decimal(1), raw="1",
                unit="个", locator="line 1", quote=quote)


INDEX = pinyin_index([_sentence("全年共收集解决民情问题12088个，其中望月湖（2965个）、桔子洲（2087个）、梅溪湖（2040个）等街道收集较多。"),
                      _sentence("深圳市润迅电话商务有限公司中标，项目总金额为569923.2元。")])


def test_a_name_the_report_prints_one_way_is_put_in_its_chinese() -> None:
    question = "Which collected more, Juzizhou or Meixihu?"
    assert spell_in_chinese(question, ["Juzizhou", "Meixihu"], [INDEX]) == "Which collected more, 桔子洲 or 梅溪湖?"
    assert spell_in_chinese("the contract won by Shenzhen Runxun", ["Shenzhen", "Runxun"], [INDEX]) == \
        "the contract won by 深圳 润迅"


def test_words_it_does_not_print_stay() -> None:
    assert spell_in_chinese("the Hangzhou company", ["Hangzhou"], [INDEX]) == "the Hangzhou company"
    # placed words and short pinyin are never respelled
    assert spell_in_chinese("Which collected more, Juzizhou?", [], [INDEX]) == "Which collected more, Juzizhou?"
    assert spell_in_chinese("the Wang project", ["Wang"], [INDEX]) == "the Wang project"


def test_longer_phrases_are_tried_first() -> None:
    assert name_phrases("won by Shenzhen Runxun in June", ["Shenzhen", "Runxun", "June"]) == \
        ["Shenzhen Runxun", "Shenzhen", "Runxun", "June"]


def test_a_name_inside_a_longer_word_stays() -> None:
    assert spell_in_chinese("the Juzizhoujie office", ["Juzizhou"], [INDEX]) == "the Juzizhoujie office"
