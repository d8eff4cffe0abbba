"""English questions put into the Chinese the reports print (qa.glossary.render_english)."""

from __future__ import annotations

import pytest

from qa.glossary import (
    distribute_shared_words,
    english_vocabulary,
    is_count_unit,
    render_english,
    stem,
)
from qa.orgs import OrgLinker

LINKER = OrgLinker({"w.pdf": "上海市普陀区人民政府万里街道办事处", "f.pdf": "上海市普陀区财政局"})


@pytest.mark.parametrize(
    ("word", "expected"),
    [("services", "service"), ("subsidies", "subsidy"), ("expenses", "expense"), ("taxes", "tax"),
     ("business", "business"), ("bureau's", "bureau"), ("status", "status"),
     ("works", "works"), ("worker", "worker"), ("organisation", "organization"), ("centralised", "centralized"),
     ("raised", "raised"), ("meteorological", "meteorology"), ("ecological", "ecology")],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_vocabulary_is_read_on_stems() -> None:
    vocab = english_vocabulary()
    assert vocab[("public", "legal", "service")] == "公共法律服务"
    assert vocab[("housing", "provident", "fund")] == "住房公积金"
    assert len(vocab) > 300


def test_phrases_and_words_join_into_a_classification_name() -> None:
    r = render_english("Wanli Subdistrict 2025 budget for other public security expenditure?", LINKER.name_words)
    # other + public security + expenditure: one run, as the 功能分类 prints it
    assert "其他公共安全支出" in r.terms
    assert r.text.startswith("2025 预算 其他公共安全支出")
    assert r.unplaced == ()  # Wanli (pinyin place) and Subdistrict (office word) are names


def test_a_longer_phrase_wins_over_an_office_word() -> None:
    r = render_english("How much did the Finance Bureau spend on office expenses?", LINKER.name_words)
    assert any(t.startswith("办公费") for t in r.terms)
    assert "财政" not in r.text


def test_totals_and_measures_stand_apart() -> None:
    r = render_english("total basic pension insurance plus occupational annuity combined", LINKER.name_words)
    assert r.terms == ("合计", "基本养老保险缴费", "职业年金缴费")
    assert "加上" in r.text and r.text.endswith("一共")


def test_comparatives_become_the_chinese_the_parser_reads() -> None:
    r = render_english("How much more was budgeted for 行政运行 than for 一般行政管理事务?")
    assert r.text == "行政运行 比 一般行政管理事务多"


def test_unknown_words_are_reported_not_dropped_silently() -> None:
    r = render_english("How many zorbing balls does the welfare home have?", LINKER.name_words)
    assert "zorbing" in r.unplaced
    # a word the vocabulary knows is placed, not reported
    assert "beds" not in render_english("How many beds does the welfare home have?", LINKER.name_words).unplaced


def test_chinese_question_is_left_alone() -> None:
    r = render_english("普陀区财政局2025年基本支出是多少？")
    assert (r.text, r.terms, r.unplaced) == ("普陀区财政局2025年基本支出是多少？", (), ())


def test_glue_words_are_no_part_of_a_phrase() -> None:
    r = render_english("spending on medical care for administrative units", LINKER.name_words)
    # "of" in the vocabulary, "for" in the question: the same phrase; 支出 starts no name
    assert r.terms == ("支出", "行政单位医疗")


def test_an_unplaced_item_is_told_from_an_unplaced_modifier() -> None:
    from qa.glossary import render_english

    assert render_english("basic expenditure on zorbing trampolines?").unplaced_items == ("zorbing", "trampolines")
    # "official" qualifies a name the vocabulary places; ordinals are read elsewhere
    assert render_english("the 2025 budget for official overseas travel").unplaced_items == ()
    assert render_english("set aside for the second session").unplaced_items == ()
    # the standard words added: IT is information technology, not the pronoun
    assert "信息化" in render_english("spending on IT development").text
    assert render_english("public-welfare job subsidies").terms == ("公益性岗位补贴",)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the head before "of"/"for" is shared by both halves
        ("procurement of works or of services", "procurement of works or procurement of services"),
        ("the procurement budgets for goods and for services",
         "the procurement budgets for goods and procurement budgets for services"),
        ("medical care for administrative units and for public institutions",
         "medical care for administrative units and medical care for public institutions"),
        # the head after the second half is shared by the first
        ("works or services procurement", "works procurement or services procurement"),
        # nothing the vocabulary names whole is split, and plain pairs stay as they are
        ("other urban and rural community expenditure", "other urban and rural community expenditure"),
        ("water and electricity", "water and electricity"),
        ("goods and services", "goods and services"),
        # an and inside one name the vocabulary holds whole (行政事业单位医疗) shares nothing
        ("administrative and public institution medical", "administrative and public institution medical"),
    ],
)
def test_a_word_shared_by_two_halves_is_written_in_both(question: str, expected: str) -> None:
    assert distribute_shared_words(question) == expected


def test_shared_words_render_as_two_printed_names() -> None:
    rendered = render_english("Which is larger: works or services procurement?")
    assert "工程采购 或 服务采购" in rendered.text
    rendered = render_english("spending on medical care for administrative units and for public institutions")
    assert "行政单位医疗 和 事业单位医疗" in rendered.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("equipment priced at 200,000 yuan or more", "20万元以上"),
        ("contracts over 1 million yuan", "100万元以上"),
        ("items of more than 500 yuan", "500元以上"),
    ],
)
def test_an_english_threshold_is_written_as_printed(question: str, expected: str) -> None:
    assert expected in render_english(question).text


def test_a_plain_amount_is_no_threshold() -> None:
    assert "以上" not in render_english("a project costing 50 yuan").text


def test_a_unit_printed_with_its_alternative_is_a_count() -> None:
    assert is_count_unit("台（套）") and is_count_unit("台/套") and is_count_unit("件")
    assert not is_count_unit("万元") and not is_count_unit("%")


def test_a_list_in_brackets_is_what_is_counted_not_a_gloss() -> None:
    listed = render_english("How many cases of all kinds (complaints, suggestions, messages) were taken in?")
    assert "投诉" in listed.text and "留言" in listed.text
    glossed = render_english("How much were public (office running) expenses?")
    assert "office" not in " ".join(glossed.unplaced).lower()


def test_an_english_phrase_does_not_swallow_the_chinese_inside_it() -> None:
    # "actual spending" is a phrase, but here 行政运行's actual spending is asked
    assert "行政运行" in render_english("Putuo Finance Bureau 2024: actual 行政运行 spending?").text


def test_what_follows_in_its_is_the_context_of_the_item() -> None:
    # the item is the head ("政府采购的家具"), not a word run into the procurement budget
    text = render_english("How much did it plan to spend on furniture in its 2019 procurement budget?").text
    assert "政府采购的家具" in text
    # no context preposition: the words join as before
    assert "的" not in render_english("How much was the furniture procurement budget?").text


def test_what_how_many_counts_is_the_item() -> None:
    # words it cannot place right after "how many" are what is counted: no total answers them
    assert render_english("How many zorbing events did the office hold in 2024?").unplaced_items == ("zorbing", "events")
    assert render_english("How many 编制 zorbing does the office have?").unplaced_items == ()


def test_works_are_construction_and_work_is_work() -> None:
    assert "工程" in render_english("What share of the procurement budget went to works?").text
    assert "工作" in render_english("How much were the work funds?").text


def test_a_shorter_phrase_is_taken_when_the_next_then_covers_more() -> None:
    """"fiscal appropriation | revenue and expenditure" (财政拨款 收支), not "fiscal appropriation
    revenue | and | expenditure", which leaves 'and' to read as a sum of two items; where both
    cut the same words the longest phrase stays ("public institution medical | insurance")."""
    r = render_english("fiscal appropriation revenue and expenditure", LINKER.name_words)
    assert r.terms == ("财政拨款收支",)
    assert render_english("public institution medical insurance", LINKER.name_words).terms[0].startswith("事业单位医疗")


def test_a_word_one_slip_from_a_known_one_is_put_back() -> None:
    from qa.glossary import english_words, respell

    known = english_words() | {"home", "welfare"}
    assert respell("the Putuo welfare hoem in 2023", ["hoem"], known) == "the Putuo welfare home in 2023"
    assert respell("offcie expenses", ["offcie"], english_words()) == "office expenses"
    # a real word one letter from a known one is no slip: send is not spend, mayor not major
    assert respell("how much did they send", ["send"], english_words() | {"spend"}) == "how much did they send"
    assert respell("Hunan grid centre", ["Hunan"], known | {"human"}) == "Hunan grid centre"
    # a word no known word is one slip from, a short word, or a function word stays as typed
    assert respell("zorbing fees", ["zorbing"], known) == "zorbing fees"
    assert respell("four quarterly plans", ["four"], known) == "four quarterly plans"  # not "for"
    assert respell("land sale revenue", ["land"], known) == "land sale revenue"  # not "and"


def test_the_vocabulary_is_read_once() -> None:
    from qa.glossary import english_vocabulary, english_words

    assert english_vocabulary() is english_vocabulary() and english_words() is english_words()
