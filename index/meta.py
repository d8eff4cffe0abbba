"""Report text -> ReportMeta: who published it, for which year, what kind, at which level.

Read from the document itself, in order of how explicitly it says so:

1. labelled lines of the templates: "预算主管部门：X" (a 部门预算), "预算单位：X" (a 单位预算),
   "部门：X … 单位：万元" above a table;
2. the title: "X2024年度部门决算", "X 2017 年度部门预算" over two cover lines; a title that
   names only a place ("上海市普陀区2025年区级部门预算") gives the place and the level;
3. the most frequent "district + office" phrase of the text (reports of district offices);
4. the file name, less its year and kind words.

The organisation's leading administrative divisions (江苏省, 上海市 普陀区) are its place; the
level is 区级 / 市级 / 省级 from the title's word or, failing that, from the place.
"""

from __future__ import annotations

import re
from collections import Counter

from index.models import ReportMeta

# Words ending in 区 that are not district names.
NOT_DISTRICTS = frozenset(
    {"社区", "城区", "辖区", "全区", "本区", "小区", "片区", "园区", "景区", "市区", "街区", "该区",
     "各区", "我区", "新区", "老区", "山区", "湖区", "库区", "县区", "区区", "两区", "城中区", "中心区"}
)
DISTRICT_RE = re.compile(r"([\u4e00-\u9fa5]{2,3}?区)(?!域|间|别|划)")
ORG_SUFFIX = r"(?:服务中心|管理中心|中心|工作部|部|局|委员会|办公室|委|院|馆|所|站|队|会)"
YEAR_RE = re.compile(r"(20\d{2})\s*年")
KIND_WORDS = {"绩效自评": ("绩效自评",), "决算": ("部门决算", "决算表", "决算公开"), "预算": ("部门预算", "预算表")}


ORG_END = (
    "办事处", "办公室", "办公厅", "委员会", "常委会", "服务中心", "管理中心", "中心", "工作部", "局", "厅",
    "委", "院", "馆", "所", "站", "队", "部", "会", "处", "署", "庭", "校", "园", "社",
)
_NAME_CHARS = r"[\u4e00-\u9fa5（）()]"
LABELLED_ORG_RE = re.compile(
    rf"(预算主管部门|预算单位|主管部门|单位名称|部门名称|部门)\s*[：:]\s*({_NAME_CHARS}{{3,40}}?)"
    r"(?=\s|目\s*录|单位\s*[：:]|金额单位|$)"
)
TITLE_RE = re.compile(
    rf"^((?:中共)?{_NAME_CHARS}{{2,40}}?)\s*(20\d{{2}})\s*年\s*度?\s*(区级|市级|省级|县级)?\s*"
    r"(部门|单位)?\s*(预算|决算|绩效自评)"
)
PLACE_RE = re.compile(r"^((?:[\u4e00-\u9fa5]{2,3}?省)?(?:[\u4e00-\u9fa5]{2,3}?市)?(?:[\u4e00-\u9fa5]{2,3}?[区县])?)")
LEVELS = {"区级": "区级", "县级": "区级", "市级": "市级", "省级": "省级"}
FILE_NOISE_RE = re.compile(r"(20)?\d{2}\s*年?度?|部门|单位|预算|决算|公开表?|绩效自评|报告|[\s_\-—.]+")


def read_meta(text: str, name: str = "") -> ReportMeta:
    head = text[:1500]
    lines = [line.strip() for line in re.split(r"[\n\f]", text[:4000]) if line.strip()][:40]
    labelled = _labelled_org(lines)
    title = _title(lines)
    org = labelled or (title[0] if title and _is_org(title[0]) else "")
    district = ""
    if not org:
        district = _district(text)
        named = _from_file_name(name)
        org = _org(text, district, named) or named
    year = title[1] if title else (_year(head, text) or _year_of_name(name))
    kind = title[2] if title else _kind(head, text, name)
    places = split_place(org)
    if title and not _is_org(title[0]):
        places = places or split_place(title[0] + "局")  # a place-only title: 上海市普陀区
    # a place read off the name is the place; the text's most frequent 区 only for names without
    district = district or district_of(places)
    if not district and not places:
        district = _district(text)
    level = (LEVELS.get(title[3], "") if title else "") or level_of(places)
    return ReportMeta(
        org=org, district=district, year=year, kind=kind, level=level,
        scope=_scope(head, title), place="".join(places),
    )


def district_of(places: tuple[str, ...]) -> str:
    """The 区 or 县 among an organisation's places ('' for a city or province body)."""
    return next((p for p in places if p.endswith(("区", "县"))), "")


def level_of(places: tuple[str, ...]) -> str:
    """区级 / 市级 / 省级 from the innermost division ('' without one)."""
    if not places:
        return ""
    last = places[-1]
    return "区级" if last.endswith(("区", "县")) else "市级" if last.endswith("市") else "省级"


def split_place(org: str) -> tuple[str, ...]:
    """'上海市普陀区规划和自然资源局' -> ('上海市', '普陀区'); '中共…' counts from after 中共."""
    name = org.removeprefix("中共")
    match = PLACE_RE.match(name)
    prefix = match.group(1) if match else ""
    if not prefix or len(prefix) >= len(name) - 1:
        return ()
    return tuple(re.findall(r"[\u4e00-\u9fa5]{2,3}?[省市区县]", prefix))


def _is_org(text: str) -> bool:
    """A name that ends in an office word and is more than a place ('上海市普陀区' is none)."""
    text = text.removeprefix("中共")
    return text.endswith(ORG_END) and not re.fullmatch(r"(?:[\u4e00-\u9fa5]{2,3}?[省市区县])+", text)


def _labelled_org(lines: list[str]) -> str:
    for line in lines:
        match = LABELLED_ORG_RE.search(line)
        if match and _is_org(match.group(2)):
            return match.group(2)
    return ""


def _title(lines: list[str]) -> tuple[str, int, str, str, str] | None:
    """(name before the year, year, kind, level word) of the first title line; a name printed on
    the cover line above its "2017 年度部门预算" line is joined to it."""
    for i, line in enumerate(lines[:12]):
        for candidate in (line, lines[i - 1] + line if i else ""):
            match = TITLE_RE.match(candidate.replace(" ", ""))
            if match:
                groups = match.groups()
                return groups[0], int(groups[1]), groups[4], groups[2] or "", groups[3] or ""
    return None


def _scope(head: str, title: tuple[str, int, str, str, str] | None) -> str:
    """单位 for a unit's own budget (预算单位：, 单位预算), 部门 for a department's (with its units)."""
    if title and title[4]:
        return title[4]
    compact = head.replace(" ", "")
    if re.search(r"单位预算|预算单位[：:]|单位决算", compact):
        return "单位"
    if re.search(r"部门预算|部门决算|预算主管部门|部门：", compact):
        return "部门"
    return ""


def _from_file_name(name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name)
    stem = FILE_NOISE_RE.sub("", stem)
    return stem if _is_org(stem) else ""


def _district(text: str) -> str:
    counts: Counter[str] = Counter()
    for match in DISTRICT_RE.finditer(text[:20000]):
        word = match.group(1)
        # keep the shortest proper tail: "武汉市硚口区" -> "硚口区"
        for cut in ("市", "省", "县"):
            if cut in word[:-1]:
                word = word[word.rindex(cut, 0, len(word) - 1) + 1 :]
        if word in NOT_DISTRICTS or len(word) < 3 or any(word.endswith(x) for x in NOT_DISTRICTS):
            continue
        counts[word] += 1
    return counts.most_common(1)[0][0] if counts else ""


STRONG_SUFFIX_RE = re.compile(r"(服务中心|管理中心|中心|工作部|委员会|办公室|局|院|馆)")


def _org(text: str, district: str, named: str = "") -> str:
    """The organisation: the district followed by the shortest run of words ending in an office
    suffix (中心 / 工作部 / 局 …), with the city or 中共 prefix it is most fully printed with.
    Of names printed equally often, the one holding the name the file is named by (`named`:
    a workbook "社会工作部2024决算.xlsx" whose tables print 中共…社会工作部（本级） once and a
    subordinate 社会工作发展服务中心 once), then the longest."""
    if not district:
        return ""
    pattern = re.compile(rf"((?:中共)?(?:[\u4e00-\u9fa5]{{2}}[省市])?){re.escape(district)}([\u4e00-\u9fa5]{{0,30}})")
    cores: Counter[str] = Counter()
    prefixes: dict[str, set[str]] = {}
    for match in pattern.finditer(text[:30000]):
        tail = match.group(2)
        found = STRONG_SUFFIX_RE.search(tail)
        if not found or found.end() < 2:
            continue
        core = district + tail[: found.end()]
        cores[core] += 1
        prefixes.setdefault(core, set()).add(match.group(1))
    if not cores:
        return ""
    core = max(cores, key=lambda c: (cores[c], bool(named) and (named in c or c in named), len(c)))
    prefix = max(prefixes[core], key=len)
    return prefix + core


def _year(head: str, text: str) -> int | None:
    for match in re.finditer(r"(20\d{2})\s*年(?:度|部门|\s*部门)", head):
        return int(match.group(1))
    years = Counter(int(m.group(1)) for m in YEAR_RE.finditer(text[:5000]))
    return years.most_common(1)[0][0] if years else None


def _year_of_name(name: str) -> int | None:
    """'…2019年部门预算公开表.pdf' -> 2019, '…万里街道办事处24年预算.pdf' -> 2024, '社会工作部2024决算.xlsx'
    -> 2024: the file name,
    when the text prints no year (a file of rotated tables)."""
    match = re.search(r"(?<!\d)(20\d{2}|\d{2})\s*年", name) or re.search(r"(?<!\d)(20\d{2})(?!\d)", name)
    if not match:
        return None  # (two digits without 年 are no year: "001_4adb7e…", "表2")
    year = int(match.group(1))
    return year if year >= 2000 else 2000 + year


def _kind(head: str, text: str, name: str) -> str:
    for kind, words in KIND_WORDS.items():
        if any(w in head for w in words) or any(w in name for w in (kind,)):
            if kind == "绩效自评" or not any(w in head for k, ws in KIND_WORDS.items() if k != kind for w in ws):
                return kind
    scores = {kind: sum(text.count(w) for w in words) for kind, words in KIND_WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else ""
