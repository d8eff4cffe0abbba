"""(Case, answer dict) -> CaseResult -> Summary: how one system did on the known answers.

Scoring, in one place:

* correct — gold NOT_IN_DOC: status not_found, or an answer marked `none_stated` (it cites the
  report's own statement that there is no such figure: "本年度没有…支出"). Otherwise: status answered and `value` equals
  the gold after unit conversion (Decimal compare: "0" == "0.00", "13.64" 万元 == "136400.00" 元,
  "23.05" 万件 == "230500" 件); a computed gold also accepts a result within one unit of its
  last place (operands printed rounded in the text, exact in a table).
* wrong_number — status answered with a value that is not the gold, or any value for a
  NOT_IN_DOC gold; also an ambiguous answer whose candidates carry figures but not the gold
  (a list of wrong figures is still wrong figures). The worst outcome: a confident wrong figure.
* ambiguous — status ambiguous with the gold among its candidates (or no figures at all): not
  correct, not wrong.
* not_found — status not_found for a figure that is in a report (a miss, not a wrong number).
* no_value — status answered without a value (prose only): not correct, not wrong.
* error — the answerer raised (NotImplementedError included) or broke the contract.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from eval.cases import NOT_IN_DOC, Case
from index.numbers import UNIT_FACTORS, parse_cell

CORRECT = "correct"
WRONG_NUMBER = "wrong_number"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"
NO_VALUE = "no_value"
ERROR = "error"
OUTCOMES = (CORRECT, WRONG_NUMBER, AMBIGUOUS, NOT_FOUND, NO_VALUE, ERROR)

# Count units that print a 万 multiplier ("23.05 万余件"); "余" (more than) does not change the
# figure being compared.
_COUNT_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


# ---------------------------------------------------------------------------------------------
# figures and units


def parse_value(text: object) -> tuple[Decimal, str] | None:
    """'13.64' -> (13.64, ''); '84,395件' -> (84395, '件'); '313. 08' -> (313.08, ''); else None."""
    if text is None:
        return None
    amount = parse_cell(str(text))
    if amount is None:
        return None
    return amount.value, amount.unit


def unit_scale(unit: str) -> tuple[str, Decimal]:
    """A unit as (measure, factor): 万元 -> (money, 10000), 万余件 -> (count, 10000), % -> (%, 1).

    Count nouns are not compared: the reports print one count as "工单84395件" and as
    "工单84395个", and what is counted is the question's business, not the unit's.
    """
    text = unit.strip().replace("％", "%").replace("余", "")
    if text in UNIT_FACTORS:
        return "money", UNIT_FACTORS[text]
    if text == "%":
        return "%", Decimal(1)
    if len(text) > 1 and text[0] in _COUNT_MULTIPLIERS:
        return "count", _COUNT_MULTIPLIERS[text[0]]
    return "count", Decimal(1)


def values_equal(value: object, unit: str, gold: str, gold_unit: str) -> bool:
    """Whether an answered figure is the gold figure.

    Units convert within one measure (元/万元; 件/个/万件). When either side has no unit the bare
    figures are compared: the gold files leave some units implicit, and an answer that drops
    the unit but prints the gold figure is not a wrong number. An answer printed with more
    decimals than the gold (a computed ratio, a converted amount) counts if it rounds half-up
    to the gold at the gold's precision: that is how the report would print it.
    """
    got = parse_value(value)
    want = parse_value(gold)
    if got is None or want is None:
        return False
    got_value, got_unit = got
    want_value, want_unit = want
    unit = unit or got_unit
    gold_unit = gold_unit or want_unit
    if unit.strip() and gold_unit.strip():
        got_base, got_factor = unit_scale(unit)
        want_base, want_factor = unit_scale(gold_unit)
        if got_base != want_base:
            return False
        got_value = got_value * got_factor / want_factor
    if got_value == want_value:
        return True
    exponent = int(want_value.as_tuple().exponent)
    if _decimals(got_value) > -exponent:
        quantum = Decimal(1).scaleb(exponent)
        return got_value.quantize(quantum, rounding=ROUND_HALF_UP) == want_value
    return False


def within_rounding(value: object, unit: str, gold: str, gold_unit: str) -> bool:
    """A computed figure within one unit of the gold's last place: 176.32 + 88.16 = 264.48 万元
    from the text's rounded figures, 2,644,739.28 元 from the table's exact ones (264.47 万元)."""
    got, want = parse_value(value), parse_value(gold)
    if got is None or want is None:
        return False
    got_base, got_factor = unit_scale(unit or got[1])
    want_base, want_factor = unit_scale(gold_unit or want[1])
    if got_base != want_base:
        return False
    last_place = Decimal(1).scaleb(int(want[0].as_tuple().exponent))
    return abs(got[0] * got_factor / want_factor - want[0]) <= last_place


def _decimals(value: Decimal) -> int:
    exponent = int(value.normalize().as_tuple().exponent)
    return max(-exponent, 0)


# ---------------------------------------------------------------------------------------------
# one case


@dataclass(frozen=True)
class CaseResult:
    """What one system did on one case, scored."""

    id: str
    kind: str
    lang: str
    doc: str
    question: str
    gold: str
    gold_unit: str
    outcome: str
    status: str = ""
    value: str | None = None
    unit: str = ""
    answer: str = ""
    cited_gold_doc: bool | None = None  # None: not an answered case with a gold doc
    retrieved_gold: bool | None = None  # None: retrieval not exposed or no evidence
    latency_ms: float | None = None
    error: str = ""
    citations: tuple[str, ...] = field(default=())
    candidates: tuple[str, ...] = field(default=())  # "value unit" of an ambiguous answer

    @property
    def correct(self) -> bool:
        return self.outcome == CORRECT

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["citations"] = list(self.citations)
        data["candidates"] = list(self.candidates)
        return data


def _candidate_values(answer: Mapping[str, Any]) -> list[tuple[object, str]]:
    out = []
    for candidate in answer.get("candidates") or []:
        if isinstance(candidate, Mapping) and candidate.get("value") is not None:
            out.append((candidate.get("value"), str(candidate.get("unit") or "")))
    if answer.get("value") is not None:
        out.append((answer.get("value"), str(answer.get("unit") or "")))
    return out


def cited_reports(answer: Mapping[str, Any]) -> tuple[str, ...]:
    reports = []
    for citation in answer.get("citations") or []:
        if isinstance(citation, Mapping) and citation.get("report"):
            # "report" is the base name as added; tolerate a path all the same.
            reports.append(str(citation["report"]).replace("\\", "/").rsplit("/", 1)[-1])
    return tuple(dict.fromkeys(reports))


def classify(case: Case, answer: Mapping[str, Any]) -> str:
    """The outcome of one CONTRACT answer dict for one case (see the module docstring)."""
    status = answer.get("status")
    value = answer.get("value")
    unit = str(answer.get("unit") or "")
    if status == "not_found":
        return CORRECT if case.absent else NOT_FOUND
    if status == "answered":
        if value is None or str(value).strip() == "":
            return NO_VALUE
        if case.absent:
            # "本年度没有政府性基金预算财政拨款收入和支出": the answer says the report states there
            # is none, which is what an absent figure means; a printed 0.00 cell is not that
            return CORRECT if answer.get("none_stated") else WRONG_NUMBER
        if values_equal(value, unit, case.answer, case.unit):
            return CORRECT
        if case.kind == "computed" and within_rounding(value, unit, case.answer, case.unit):
            return CORRECT
        return WRONG_NUMBER
    if status == "ambiguous":
        candidates = _candidate_values(answer)
        if not candidates:
            return AMBIGUOUS
        if case.absent:
            return WRONG_NUMBER
        if any(values_equal(v, u, case.answer, case.unit) for v, u in candidates):
            return AMBIGUOUS
        return WRONG_NUMBER
    return ERROR


def score_answer(
    case: Case,
    answer: Mapping[str, Any] | None,
    *,
    latency_ms: float | None = None,
    error: str = "",
    retrieved_gold: bool | None = None,
) -> CaseResult:
    """Score one answer (None with `error` when the answerer raised)."""
    base = dict(
        id=case.id,
        kind=case.kind,
        lang=case.lang,
        doc=case.doc,
        question=case.question,
        gold=case.answer,
        gold_unit=case.unit,
        retrieved_gold=retrieved_gold,
    )
    if answer is None or not isinstance(answer, Mapping):
        reason = error or f"answer is {type(answer).__name__}, not a JSON object"
        return CaseResult(**base, outcome=ERROR, error=reason)  # type: ignore[arg-type]
    outcome = classify(case, answer)
    status = str(answer.get("status") or "")
    if outcome == ERROR and not error:
        error = f"status {status!r} is not answered, not_found or ambiguous"
    reports = cited_reports(answer)
    cited = None
    if status == "answered" and not case.absent and case.doc:
        cited = case.doc in reports
    value = answer.get("value")
    return CaseResult(
        **base,  # type: ignore[arg-type]
        outcome=outcome,
        status=status,
        value=None if value is None else str(value),
        unit=str(answer.get("unit") or ""),
        answer=str(answer.get("answer") or "")[:300],
        cited_gold_doc=cited,
        latency_ms=latency_ms,
        error=error,
        citations=reports,
        candidates=tuple(f"{v} {u}".strip() for v, u in _candidate_values(answer))
        if status == "ambiguous"
        else (),
    )


# ---------------------------------------------------------------------------------------------
# a run


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    if not 0 < p <= 100:
        raise ValueError(f"p must be in (0, 100], got {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Group:
    n: int
    correct: int
    wrong_numbers: int

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "correct": self.correct,
            "wrong_numbers": self.wrong_numbers,
            "accuracy": self.accuracy,
        }


def _group(results: Iterable[CaseResult]) -> Group:
    items = list(results)
    return Group(
        n=len(items),
        correct=sum(r.correct for r in items),
        wrong_numbers=sum(r.outcome == WRONG_NUMBER for r in items),
    )


@dataclass(frozen=True)
class Summary:
    n: int
    correct: int
    wrong_numbers: int
    outcomes: dict[str, int]
    by_kind: dict[str, Group]
    by_lang: dict[str, Group]
    not_found_precision: float | None
    not_found_recall: float | None
    citation_accuracy: float | None
    retrieval_recall_at_5: float | None
    latency_ms_p50: float | None
    latency_ms_p95: float | None

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "wrong_numbers": self.wrong_numbers,
            "outcomes": dict(self.outcomes),
            "by_kind": {k: g.to_dict() for k, g in self.by_kind.items()},
            "by_lang": {k: g.to_dict() for k, g in self.by_lang.items()},
            "not_found_precision": self.not_found_precision,
            "not_found_recall": self.not_found_recall,
            "citation_accuracy": self.citation_accuracy,
            "retrieval_recall_at_5": self.retrieval_recall_at_5,
            "latency_ms_p50": self.latency_ms_p50,
            "latency_ms_p95": self.latency_ms_p95,
        }


def summarise(results: Sequence[CaseResult]) -> Summary:
    """Accuracy overall/by kind/by language, wrong numbers, not-found P/R, citations, latency."""
    absent = [r for r in results if r.gold == NOT_IN_DOC]
    said_not_found = [r for r in results if r.status == "not_found"]
    true_not_found = sum(r.status == "not_found" for r in absent)
    cited = [r.cited_gold_doc for r in results if r.cited_gold_doc is not None]
    retrieved = [r.retrieved_gold for r in results if r.retrieved_gold is not None]
    latencies = [r.latency_ms for r in results if r.latency_ms is not None]
    kinds = sorted({r.kind for r in results})
    langs = sorted({r.lang for r in results})
    return Summary(
        n=len(results),
        correct=sum(r.correct for r in results),
        wrong_numbers=sum(r.outcome == WRONG_NUMBER for r in results),
        outcomes={o: sum(r.outcome == o for r in results) for o in OUTCOMES},
        by_kind={k: _group(r for r in results if r.kind == k) for k in kinds},
        by_lang={k: _group(r for r in results if r.lang == k) for k in langs},
        not_found_precision=ratio(true_not_found, len(said_not_found)),
        not_found_recall=ratio(true_not_found, len(absent)),
        citation_accuracy=ratio(sum(cited), len(cited)),
        retrieval_recall_at_5=ratio(sum(retrieved), len(retrieved)),
        latency_ms_p50=percentile(latencies, 50),
        latency_ms_p95=percentile(latencies, 95),
    )
