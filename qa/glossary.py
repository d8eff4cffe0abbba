"""Bilingual glossary of budget-disclosure terms: English (and loose Chinese) -> printed Chinese.

The entries are the standard vocabulary of 部门预算/决算 templates, not phrases from any one
question. Longer English phrases come first so "basic expenditure" wins over "expenditure".
"""

from __future__ import annotations

import re

# English phrase -> Chinese terms as printed in the reports.
EN_TERMS: tuple[tuple[str, str], ...] = (
    ("housing provident fund", "住房公积金"),
    ("provident fund", "住房公积金"),
    ("basic pension insurance", "基本养老保险缴费"),
    ("occupational annuity", "职业年金缴费"),
    ("medical insurance", "医疗保险缴费"),
    ("performance pay", "绩效工资"),
    ("performance salary", "绩效工资"),
    ("basic salary", "基本工资"),
    ("basic wage", "基本工资"),
    ("allowances", "津贴补贴"),
    ("bonus", "奖金"),
    ("basic expenditure", "基本支出"),
    ("basic spending", "基本支出"),
    ("project expenditure", "项目支出"),
    ("project spending", "项目支出"),
    ("personnel funds", "人员经费"),
    ("personnel expenditure", "人员经费"),
    ("personnel costs", "人员经费"),
    ("public funds", "公用经费"),
    ("public expenses", "公用经费"),
    ("operating funds", "公用经费"),
    ("administrative operating", "机关运行经费"),
    ("office operation", "机关运行经费"),
    ("three public", "三公经费"),
    ("official reception", "公务接待费"),
    ("official vehicle", "公务用车"),
    ("overseas travel", "因公出国（境）费"),
    ("government procurement", "政府采购"),
    ("procurement", "政府采购"),
    ("housing security", "住房保障支出"),
    ("social security and employment", "社会保障和就业支出"),
    ("health", "卫生健康支出"),
    ("general public services", "一般公共服务支出"),
    ("transportation", "交通运输支出"),
    ("total revenue and expenditure", "收、支总计"),
    ("total income and expenditure", "收、支总计"),
    ("total final-account expenditure", "支出合计"),
    ("total final account expenditure", "支出合计"),
    ("total expenditure", "支出合计"),
    ("total spending", "支出合计"),
    ("total income", "收入合计"),
    ("total revenue", "收入合计"),
    ("total budget", "预算数"),
    ("budget money", "预算金额"),
    ("budget amount", "预算金额"),
    ("budgeted amount", "预算金额"),
    ("full-year budget", "全年预算数"),
    ("full-year", "全年"),
    ("full year", "全年"),
    ("full year budget", "全年预算数"),
    ("executed amount", "执行数"),
    ("amount executed", "执行数"),
    ("execution rate", "执行率"),
    ("initial budget", "年初预算"),
    ("budgeted", "预算数"),
    ("final accounts", "决算"),
    ("final account", "决算"),
    ("actual spending", "决算数"),
    ("fiscal appropriation", "财政拨款"),
    ("appropriation", "财政拨款"),
    ("12345 hotline", "12345热线"),
    ("hotline", "热线"),
    ("tickets", "工单"),
    ("work orders", "工单"),
    ("complaints", "投诉"),
    ("satisfaction rate", "满意率"),
    ("satisfaction", "满意度"),
    ("staff actually employed", "实有人数"),
    ("actually employed", "实有人数"),
    ("in-service staff", "在职人员"),
    ("authorized staff", "编制人数"),
    ("authorised staff", "编制人数"),
    ("staffing quota", "编制人数"),
    ("headcount", "人数"),
    ("staff", "人数"),
    ("employees", "人数"),
    ("grids", "网格"),
    ("grid cells", "单元网格"),
    ("vehicles", "车辆"),
    ("performance targets", "绩效目标"),
    ("performance target", "绩效目标"),
    ("emergencies", "突发应急事项"),
    ("emergency", "应急"),
    ("temporary staff", "临聘人员"),
    ("contract staff", "临聘人员"),
    ("travel", "差旅费"),
    ("office expenses", "办公费"),
    ("office supplies", "办公费"),
    ("printing", "印刷费"),
    ("electricity", "电费"),
    ("water", "水费"),
    ("postage", "邮电费"),
    ("telecom", "邮电费"),
    ("property management", "物业管理费"),
    ("meeting", "会议费"),
    ("conference", "会议费"),
    ("training", "培训费"),
    ("labour", "劳务费"),
    ("labor", "劳务费"),
    ("trade union", "工会经费"),
    ("union", "工会经费"),
    ("welfare", "福利费"),
    ("maintenance", "维修（护）费"),
    ("rent", "租赁费"),
    ("consulting", "咨询费"),
    ("office equipment", "办公设备购置"),
    ("pension", "基本养老保险缴费"),
    ("housing subsid", "购房补贴"),
    ("rent subsid", "提租补贴"),
    ("income", "收入"),
    ("revenue", "收入"),
    ("expenditure", "支出"),
    ("spending", "支出"),
    ("budget", "预算"),
    ("total", "总额"),  # after every "total X" phrase above
)

# Organisation-type words: used to match organisations named in English, never as metrics.
EN_ORG_WORDS: tuple[tuple[str, str], ...] = (
    ("grid management service center", "网格化管理服务中心"),
    ("grid management center", "网格化管理服务中心"),
    ("grid service center", "网格化综合服务中心"),
    ("grid center", "网格化服务中心"),
    ("city operation center", "城市运行管理中心"),
    ("city operations center", "城市运行管理中心"),
    ("social work department", "社会工作部"),
    ("district committee", "区委"),
)

# Units a question asks for, by English or Chinese cue.
COUNT_UNITS = frozenset({"件", "个", "人", "名", "人次", "辆", "户", "次", "期", "条", "部", "台", "套", "项", "家", "万件", "万余件", "余件", "余人", "余个"})
MONEY_UNITS = frozenset({"元", "万元", "千元", "亿元"})

# Question phrasing that names no metric. Only whole phrases: removing single characters such
# as 中 or 年 would break 中心 and 年初 apart.
QUESTION_NOISE = (
    "是多少万元", "是多少元", "是多少", "为多少", "有多少", "多少万元", "多少元", "多少件", "多少个",
    "多少人", "多少辆", "多少", "是几人", "是几", "几人", "几个", "什么", "请问", "是否", "分别是",
    "一共", "总共", "了吗", "吗？", "呢？", "百分比", "百分之", "占比是", "比例是",
    # colloquial ways of asking, no part of any printed label
    "实际花了", "花了多少钱", "花了", "用了多少钱", "用了", "安排了", "安排多少", "多少钱", "多少万",
    "加起来", "一共是", "大概", "具体", "请问一下",
)

# English cues that a change, not a level, is asked for ("by how much did … grow").
EN_CHANGE_WORDS = ("increase", "decrease", "grow", "grew", "rise", "rose", "fall", "fell", "drop", "decline",
                   "change", "compared with", "compared to", "more than", "less than", "exceed")
# Words that name no item on their own: a question left with only these is too vague to answer.
GENERIC_WORDS = ("预算", "决算", "支出", "收入", "金额", "资金", "经费", "数", "合计", "总计", "全年", "年初", "多少")

EN_STOPWORDS = frozenset(
    "what was is are the of in for a an how many much did does do which and or by to at on its it s "
    "this that with from as be were handle handled have has had district center centre department "
    "final accounts account year grid 's".split()
)

ASCII_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def translate_terms(question: str) -> list[str]:
    """Chinese terms for the English phrases in a question, longest phrases first."""
    lowered = question.lower()
    found: list[str] = []
    for phrase, zh in EN_TERMS:
        if phrase in lowered:
            found.append(zh)
            lowered = lowered.replace(phrase, " ")
    return found


def translate_org_words(question: str) -> list[str]:
    lowered = question.lower()
    return [zh for phrase, zh in EN_ORG_WORDS if phrase in lowered]
