"""Report text -> ReportMeta (organisation, district, year, kind), read from the content itself."""

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


def read_meta(text: str, name: str = "") -> ReportMeta:
    head = text[:1500]
    district = _district(text)
    org = _org(text, district)
    return ReportMeta(org=org, district=district, year=_year(head, text), kind=_kind(head, text, name))


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


def _org(text: str, district: str) -> str:
    """The organisation: the district followed by the shortest run of words ending in an office
    suffix (中心 / 工作部 / 局 …), with the city or 中共 prefix it is most fully printed with."""
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
    core = max(cores, key=lambda c: (cores[c], len(c)))
    prefix = max(prefixes[core], key=len)
    return prefix + core


def _year(head: str, text: str) -> int | None:
    for match in re.finditer(r"(20\d{2})\s*年(?:度|部门|\s*部门)", head):
        return int(match.group(1))
    years = Counter(int(m.group(1)) for m in YEAR_RE.finditer(text[:5000]))
    return years.most_common(1)[0][0] if years else None


def _kind(head: str, text: str, name: str) -> str:
    for kind, words in KIND_WORDS.items():
        if any(w in head for w in words) or any(w in name for w in (kind,)):
            if kind == "绩效自评" or not any(w in head for k, ws in KIND_WORDS.items() if k != kind for w in ws):
                return kind
    scores = {kind: sum(text.count(w) for w in words) for kind, words in KIND_WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else ""
