"""Sentences -> stated quantities; report text -> metadata; blocks -> chunks."""

from __future__ import annotations

from decimal import Decimal

from index.chunks import table_chunks, text_chunks
from index.facts import extract_sentence_facts, split_sentences
from index.meta import read_meta
from index.models import Fact, ReportMeta, TableBlock, TextBlock
from index.textblocks import parse_text_blocks


def _facts(text: str, section: str = "s") -> list[Fact]:
    return extract_sentence_facts(TextBlock(text=text, section=section, line=7), "r.txt")


def test_sentence_split_never_cuts_numbers() -> None:
    text = "2020年度收、支总计313. 08万元。与上年相比，增加1,234.56万元；增长66. 0%！共签收84395件。"
    assert split_sentences(text) == [
        "2020年度收、支总计313. 08万元。",
        "与上年相比，增加1,234.56万元；",
        "增长66. 0%！",
        "共签收84395件。",
    ]


def test_quantity_with_what_it_counts() -> None:
    [tickets, satisfaction] = _facts("全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。")
    assert tickets == Fact(
        report="r.txt", source="text", table="s", row_label="全区全年共签收12345热线工单", column="",
        value=Decimal("84395"), raw="84395", unit="件", locator="s, line 7",
        quote="全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。", position=0,
    )
    assert (satisfaction.row_label, satisfaction.value, satisfaction.unit) == ("群众总体满意度", Decimal("99.13"), "%")
    assert satisfaction.parents == "全区全年共签收12345热线工单"


def test_ocr_spaced_number_and_code_inside_a_word() -> None:
    facts = _facts("2020年度收、支总计313. 08万元。88712345热线话务员外包项目成本38.25万元。")
    assert [(f.row_label, f.value, f.raw, f.unit) for f in facts] == [
        ("2020年度收、支总计", Decimal("313.08"), "313. 08", "万元"),
        ("88712345热线话务员外包项目成本", Decimal("38.25"), "38.25", "万元"),
    ]


def test_count_keeps_the_noun_after_it_and_bracketed_asides() -> None:
    facts = _facts("将我区 80 个社区（村）合理调整划分为 288 个单元网格，施行网格化管理。")
    assert [(f.row_label, f.column, f.raw) for f in facts] == [("将我区", "社区", "80"), ("合理调整划分为", "单元网格", "288")]
    [rate] = _facts("其中，市群工部办件（市长专线、城市留言板、市委书记留言板）群众满意率 86.20%。")
    assert rate.row_label == "市群工部办件（市长专线、城市留言板、市委书记留言板）群众满意率"


def test_a_share_names_what_it_is_a_share_of() -> None:
    facts = _facts("主要用于以下方面：一般公共服务支出（类）264.87 万元，占 86.05%；")
    assert [(f.row_label, f.raw, f.unit) for f in facts] == [
        ("一般公共服务支出（类）", "264.87", "万元"),
        ("一般公共服务支出（类）占", "86.05", "%"),
    ]


def test_stated_nil_is_a_zero_fact_quoting_the_sentence() -> None:
    [nil] = _facts("中共上海市普陀区委社会工作部 2024 年度无“三公”经费财政拨款支出。")
    assert (nil.value, nil.raw, nil.unit, nil.row_label) == (Decimal(0), "0", "万元", "三公”经费财政拨款支出")
    assert nil.quote.startswith("中共上海市普陀区委社会工作部 2024 年度无")


def test_wrapped_pdf_sentence_is_joined_before_facts() -> None:
    # 001 prints sentences broken over lines with blank lines between.
    blocks = parse_text_blocks("2024年部门收支总预算 659.00万元。比 2023年预算增加 178.10\n\n万元，增长 37.03%。\n")
    [block] = [b for b in blocks if isinstance(b, TextBlock)]
    assert block.text == "2024年部门收支总预算 659.00万元。比 2023年预算增加 178.10万元，增长 37.03%。"
    facts = extract_sentence_facts(block, "001.txt")
    assert [(f.row_label, f.raw, f.parents) for f in facts][:2] == [
        ("2024年部门收支总预算", "659.00", ""),
        ("比 2023年预算增加", "178.10", "2024年部门收支总预算"),
    ]


def test_meta_read_from_content() -> None:
    text = (
        "# 2020 年度武汉市硚口区社会管理网格化 服务中心部门决算\n\n"
        "武汉市硚口区社会管理网格化服务中心在职实有人数 12 人。\n"
        "硚口区社会管理网格化服务中心部门决算由单位本级决算组成。\n"
    )
    assert read_meta(text) == ReportMeta(org="武汉市硚口区社会管理网格化服务中心", district="硚口区", year=2020, kind="决算",
                                         level="区级", scope="部门", place="武汉市硚口区")
    assert read_meta("2021年度部门整体支出绩效自评表\n长沙市岳麓区网格化综合服务中心负责…岳麓区").kind == "绩效自评"


def test_table_chunks_repeat_title_unit_header_and_keep_rows_whole() -> None:
    rows = (("科目编码", "科目名称", "合计"),) + tuple((f"3010{i}", f"项目{i}" * 20, f"{i}.00") for i in range(30))
    block = TableBlock(title="表 6.一般公共预算基本支出表", rows=rows, unit="万元")
    chunks = table_chunks(block)
    assert len(chunks) > 1
    for chunk in chunks:
        lines = chunk.split("\n")
        assert lines[0] == "表 6.一般公共预算基本支出表（单位：万元）"
        assert lines[1] == "科目编码 | 科目名称 | 合计"
        assert all(line.count(" | ") == 2 for line in lines[1:])  # no row is cut
    body = [line for c in chunks for line in c.split("\n")[2:]]
    assert len(body) == 30


def test_text_chunks_cut_at_sentence_ends() -> None:
    sentence = "区网格化综合服务中心2021年支出合计416.69万元。"
    blocks = [TextBlock(text=sentence * 30, section="（二）部门整体支出规模")]
    chunks = text_chunks(blocks)
    assert len(chunks) > 1
    for text, _ in chunks:
        body = text.split("\n", 1)[-1].strip()
        assert body.endswith("。") and "416.69万元" in body


def test_a_heading_at_the_foot_of_a_block_names_the_next_blocks_figures() -> None:
    from index.facts import trailing_subject

    end = TextBlock(text="主要用于：退休人员经费支出。年初预算为 0.94 万元。9、卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）。主要用于：",
                    section="（三）", line=1)
    subject = trailing_subject(end)
    assert subject.endswith("行政单位医疗（项）")
    head = TextBlock(text="在职人员基本医疗保险费。年初预算为62.29 万元，支出决算为60.99万元。", section="（三）", line=2)
    facts = extract_sentence_facts(head, "r.pdf", carried=subject)
    assert [(f.raw, f.parents) for f in facts][0] == ("62.29", subject)
    # a purpose line is no heading: without the carried subject the figure has none
    assert extract_sentence_facts(head, "r.pdf")[0].parents == ""
    assert trailing_subject(TextBlock(text="行政运行（项）。年初预算为 5 万元。", section="", line=1)) == ""


def test_a_figure_right_after_another_is_of_the_same_subject() -> None:
    facts = _facts("截至2022年12月31日，在建工程1项12277.73万元。")
    assert [(f.row_label, f.raw, f.unit) for f in facts][-2:] == [("在建工程", "1", "项"), ("在建工程", "12277.73", "万元")]
    # a figure with words of its own before it keeps them
    facts = _facts("共有车辆2辆，金额50.00万元。")
    assert facts[-1].row_label == "金额"


def test_a_score_is_a_quantity() -> None:
    facts = _facts("绩效自评的2024年度项目4个，涉及预算金额598.42万元，平均得分99.43分。")
    assert [(f.raw, f.unit) for f in facts][-1] == ("99.43", "分")
    assert _facts("平均响应时间15分钟。")[-1].unit == "分钟"


def test_an_amount_bounding_what_is_counted_is_part_of_its_name() -> None:
    facts = _facts("单价20万元（含）以上的设备69台（套）。单价50万元以上通用设备0台/套。")
    assert [(f.row_label, f.raw, f.unit) for f in facts] == [
        ("单价20万元（含）以上的设备", "69", "台（套）"), ("单价50万元以上通用设备", "0", "台/套")]
    # an amount with 以上 and nothing counted after it is still a figure
    facts = _facts("申请400.00万元以上基本建设项目的评审经费。")
    assert [(f.raw, f.unit) for f in facts] == [("400.00", "万元")]


def test_a_paragraph_opening_on_this_item_is_about_the_subject_before_it() -> None:
    from index.analyse import analyse_report
    from index.models import Report, ReportMeta

    blocks = (TextBlock(text="2024年本部门机关运行经费27.38万元。主要包括：办公费、印刷费等。", section="（一）机关运行经费", line=1),
              TextBlock(text="此项支出比上年减少2.32万元，降低7.81%。", section="（一）机关运行经费", line=3))
    meta = ReportMeta(org="硚口区网格化服务中心", district="硚口区", year=2024, kind="预算")
    report = Report(name="r.txt", sha256="0" * 64, meta=meta, blocks=blocks)
    change = [f for f in analyse_report(report).facts if f.raw == "2.32"]
    assert change and change[0].parents == "2024年本部门机关运行经费"


def test_batches_are_a_count_of_their_own() -> None:
    # "公务接待 2 批次、26 人次": two counts, the 2 no part of the 26's name
    facts = _facts("列明公务接待 2 批次、26 人次，其中：接待外宾 0 批次、0 人次。")
    assert [(f.raw, f.unit) for f in facts][:2] == [("2", "批次"), ("26", "人次")]


def test_an_enumeration_closed_by_deng_is_one_name() -> None:
    [cases] = _facts("共受理政府服务热线、网上投诉等群众投诉、建议、留言等各类办件 152949 件，及时转办率 100%。")[:1]
    assert cases.row_label == "共受理政府服务热线、网上投诉等群众投诉、建议、留言等各类办件"
    # "共" alone names nothing: the clause before it does, from where the figure before it ends
    [_, households] = _facts("其余6个街道（镇）全面精准的采集了我区房屋、人口等基础信息，共91499户，构筑起防线。")
    assert (households.row_label, households.raw) == ("全面精准的采集了我区房屋、人口等基础信息，共", "91499")


def test_a_count_followed_by_a_clause_counts_no_noun() -> None:
    facts = _facts("投诉类 11 件案件 10 件转为非营商环境类，1 件因处置及时投诉人感觉十分满意后自行撤销。")
    assert [(f.raw, f.column) for f in facts] == [("11", "案件"), ("10", ""), ("1", "")]
    # a noun that merely begins with such a character is still what is counted
    assert [f.column for f in _facts("共扶持5个经济合作社，办理10件转办事项。")] == ["经济合作社", "转办事项"]


def test_a_verb_with_le_ends_the_noun_a_count_counts() -> None:
    facts = _facts("本部门3个预算单位开展了2025年项目预算绩效目标编报工作，编报绩效目标的项目49个。")
    assert [(f.column, f.raw) for f in facts] == [("预算单位", "3"), ("", "49")]
    # only a verb ends it: 除了 or 建了 after a noun's first character cut nothing
    assert _facts("全区12个社区卫生服务站除了门诊外还开展巡诊。")[0].column.startswith("社区卫生服务站")


def test_a_count_in_brackets_counts_the_noun_before_the_bracket_closes() -> None:
    facts = _facts("全年累计处理问题96000余个（“智慧岳麓”平台12088个、12345政务热线工单84395个），满意度达99.13％。")
    [tickets] = [f for f in facts if f.raw == "84395"]
    assert (tickets.row_label, tickets.column) == ("12345政务热线工单", "")
