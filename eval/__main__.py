"""`python -m eval`: known-answer cases -> our Answerer and the naive baseline -> scores.

    python -m eval [--cases FILE ...] [--store DIR] [--json] [--no-baseline]

Default cases: every file of eval/dev/ and eval/test/ (dev: looked at while building; test:
written before the build by a session that had not read qa/, reported in aggregate only).
Before asking:

* no store yet (no reports in it): it is built from --corpus (default corpus/), as
  `python -m index build` would;
* a report a case names is not in the store (the real PDFs: `index build` only reads corpus/):
  it is added from --corpus or --reports (default ../shared/real-reports), as
  `python -m index add` would, and so is every other report of that folder, so that each
  question is asked of the whole collection. The store then keeps them.

One Answerer is made (models load once) and asked every question in order; the baseline
(eval/baseline.py) is built in memory over the same report texts with the same embedder and
asked the same questions. An answerer that raises (NotImplementedError while qa/ is being
written) scores that case as an error, and the run goes on. Scoring: eval/metrics.py.

Prints a table (ours beside the baseline, then one line per case ours got wrong), or with
--json one object: accuracy, wrong_numbers, by_kind, baseline_accuracy, latency_ms_p50,
latency_ms_p95 and more. Every run also writes eval/runs/<timestamp>.json (git-ignored) with
each case's answers. Exit 0 when the run completed, 1 when the store or a case file cannot be
used (one line on stderr), 2 for bad flags.
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.cases import (
    DEFAULT_CASE_FILES,
    DEFAULT_CORPUS_DIR,
    DEFAULT_REPORT_DIRS,
    EVAL_DIR,
    SEED_CASE_FILES,
    Case,
    CaseFileError,
    find_report,
    load_cases,
    squash,
)
from eval.metrics import WRONG_NUMBER, CaseResult, Summary, score_answer, summarise
from index.config import Settings
from index.models import ReportFormatError

RECALL_K = 5
RUNS_DIR = EVAL_DIR / "runs"

log = logging.getLogger("eval")

Ask = Callable[[str], dict[str, Any]]
Retrieve = Callable[[str, int], list[Any]]


class EvalError(Exception):
    """The eval cannot run (store, corpus); the CLI prints it as one line."""


# ---------------------------------------------------------------------------------------------
# the store the cases need


def prepare_store(
    settings: Settings,
    cases: Sequence[Case],
    corpus_dir: Path,
    report_dirs: Sequence[Path],
    every_report: bool = True,
) -> list[str]:
    """Build the store if it is empty, add any report a case names that it lacks.

    Returns notes for the report (what was built or added, which docs could not be found).
    """
    from index.build import add_files, build_corpus, store_stats

    notes: list[str] = []
    if store_stats(settings.store)["reports"] == 0:
        log.warning("no store at %s: building it from %s", settings.store, corpus_dir)
        results = build_corpus(corpus_dir, settings)
        failed = [r.summary() for r in results if r.status == "error"]
        if failed:
            raise EvalError(f"building {settings.store} failed: {'; '.join(failed)}")
        notes.append(f"built {settings.store} from {corpus_dir} ({len(results)} reports)")
    names = set(store_stats(settings.store)["report_names"])
    to_add: list[Path] = []
    for doc in sorted({c.doc for c in cases if c.doc} - names):
        path = find_report(doc, corpus_dir, report_dirs)
        if path is None:
            dirs = ", ".join(str(d) for d in (corpus_dir, *report_dirs))
            notes.append(f"{doc}: not in the store and not in {dirs}; its cases will fail")
        else:
            to_add.append(path)
    # every real report goes in, whether a case names it or not: questions are asked of the
    # whole collection, so that naming one organisation among many is part of what is tested
    folder = next((Path(d) for d in report_dirs if Path(d).is_dir()), None)
    if folder is not None and every_report:
        added = {p.name for p in to_add}
        to_add += [p for p in sorted(folder.iterdir())
                   if p.is_file() and p.name not in names and p.name not in added]
    if to_add:
        log.warning("adding %s to %s", ", ".join(p.name for p in to_add), settings.store)
        results = add_files(to_add, settings)
        failed = [r.summary() for r in results if r.status == "error"]
        if failed:
            raise EvalError(f"adding reports to {settings.store} failed: {'; '.join(failed)}")
        notes.extend(f"added {p} to the store" for p in to_add)
    return notes


# ---------------------------------------------------------------------------------------------
# asking


def hit_report_text(hit: Any) -> tuple[str, str]:
    """(report, text) of one retrieval hit: a dict, a Chunk-like object, (chunk, score) or
    (report, text)."""
    if isinstance(hit, tuple):
        if len(hit) == 2 and all(isinstance(part, str) for part in hit):
            return hit[0], hit[1]
        hit = hit[0] if hit else None
    if isinstance(hit, Mapping):
        if "text" not in hit and "chunk" in hit:
            return hit_report_text(hit["chunk"])
        return str(hit.get("report") or ""), str(hit.get("text") or "")
    return str(getattr(hit, "report", "") or ""), str(getattr(hit, "text", "") or "")


def evidence_retrieved(case: Case, hits: Sequence[Any]) -> bool | None:
    """Whether a top-k hit is the gold report's passage holding the evidence (None: no gold)."""
    if case.absent or not case.doc or not case.evidence.strip():
        return None
    wanted = squash(case.evidence)
    for hit in hits:
        report, text = hit_report_text(hit)
        if report == case.doc and wanted in squash(text):
            return True
    return False


def find_retriever(system: Any) -> Retrieve | None:
    """The system's `retrieve(question, k)` if it exposes one."""
    method = getattr(system, "retrieve", None)
    return method if callable(method) else None


def run_cases(
    cases: Sequence[Case],
    ask: Ask,
    retrieve: Retrieve | None = None,
    *,
    label: str = "",
    progress: bool = False,
) -> list[CaseResult]:
    """Ask every case, score it; an exception scores as an error and the run goes on.

    Latency is wall time around `ask`. Retrieval for recall@5 runs after the answer, so any
    cache it warms cannot make the answer look faster.
    """
    results: list[CaseResult] = []
    for i, case in enumerate(cases, 1):
        answer: dict[str, Any] | None = None
        error = ""
        started = time.perf_counter()
        try:
            answer = ask(case.question)
        except NotImplementedError:
            error = "not implemented"
        except Exception as exc:  # noqa: BLE001 - one broken answer must not stop the run
            log.debug("%s failed on %s", label, case.id, exc_info=True)
            error = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        elapsed = (time.perf_counter() - started) * 1000
        retrieved = None
        if retrieve is not None:
            try:
                retrieved = evidence_retrieved(case, retrieve(case.question, RECALL_K))
            except NotImplementedError:
                retrieve = None
            except Exception:  # noqa: BLE001 - recall is a side measurement
                log.debug("retrieve failed on %s", case.id, exc_info=True)
        results.append(
            score_answer(
                case,
                answer,
                latency_ms=None if error else elapsed,
                error=error,
                retrieved_gold=retrieved,
            )
        )
        if progress and (i % 10 == 0 or i == len(cases)):
            print(f"\r{label}: {i}/{len(cases)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return results


def warm_up(ask: Ask, cases: Sequence[Case]) -> float:
    """Ask the first question once, unscored: lazy model loads are load time, not latency.

    Returns its wall time in seconds (0 when it raised).
    """
    if not cases:
        return 0.0
    started = time.perf_counter()
    try:
        ask(cases[0].question)
    except Exception:  # noqa: BLE001 - the scored run reports it
        return 0.0
    return time.perf_counter() - started


def _failing(reason: str) -> Ask:
    def ask(question: str) -> dict[str, Any]:
        raise RuntimeError(reason)

    return ask


@dataclass
class SystemRun:
    name: str
    results: list[CaseResult]
    load_s: float
    summary: Summary = field(init=False)

    def __post_init__(self) -> None:
        self.summary = summarise(self.results)


def run_ours(store: Path, cases: Sequence[Case], progress: bool) -> SystemRun:
    started = time.perf_counter()
    try:
        from qa.answerer import Answerer

        answerer: Any = Answerer(store)
        ask: Ask = answerer.ask
        retrieve = find_retriever(answerer)
    except NotImplementedError:
        ask, retrieve = _failing("Answerer is not implemented"), None
    except Exception as exc:  # noqa: BLE001 - score every case as an error, keep the baseline
        log.warning("the Answerer could not be made: %s", exc, exc_info=True)
        ask, retrieve = _failing(f"Answerer(): {type(exc).__name__}: {exc}"), None
    warm_up(ask, cases)
    load_s = time.perf_counter() - started
    results = run_cases(cases, ask, retrieve, label="ours", progress=progress)
    return SystemRun("ours", results, load_s)


def run_fair_peer(store: Path, cases: Sequence[Case], progress: bool, notes: list[str] | None = None) -> SystemRun:
    """The fair peer (eval/baseline.py FairPeer), its abstention threshold chosen on the dev
    cases among `cases`."""
    from eval.baseline import FairPeer
    from qa.answerer import Answerer

    started = time.perf_counter()
    peer = FairPeer(Answerer(store))
    dev = [c for c in cases if c.split != "test"]
    threshold = peer.choose_threshold(dev) if dev else 0
    log.info("fair peer: overlap threshold %d chosen on %d dev cases", threshold, len(dev))
    if notes is not None:
        notes.append(f"fair peer: abstains below {threshold} shared characters (chosen on {len(dev)} dev cases)")
    load_s = time.perf_counter() - started
    results = run_cases(cases, peer.ask, peer.retrieve, label="fair peer", progress=progress)
    return SystemRun("baseline", results, load_s)


def run_baseline(store: Path, cases: Sequence[Case], embed_model: str, progress: bool) -> SystemRun:
    from eval.baseline import build_baseline

    started = time.perf_counter()
    baseline = build_baseline(store, embed_model)
    warm_up(baseline.ask, cases)
    load_s = time.perf_counter() - started
    results = run_cases(cases, baseline.ask, baseline.retrieve, label="baseline", progress=progress)
    return SystemRun("baseline", results, load_s)


# ---------------------------------------------------------------------------------------------
# reporting


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f}"


def latency_ratio(ours: Summary, baseline: Summary | None) -> float | None:
    """Our p50 latency over the baseline's: how much slower (>1) or faster (<1) we answer."""
    if baseline is None or not ours.latency_ms_p50 or not baseline.latency_ms_p50:
        return None
    return ours.latency_ms_p50 / baseline.latency_ms_p50


def summary_object(
    ours: SystemRun, baseline: SystemRun | None, extra: dict[str, Any]
) -> dict[str, Any]:
    """The --json object (CONTRACT.md: accuracy, wrong_numbers, by_kind, baseline_accuracy, ...)."""
    o = ours.summary.to_dict()
    b = baseline.summary.to_dict() if baseline else None
    return {
        "n": o["n"],
        "accuracy": o["accuracy"],
        "wrong_numbers": o["wrong_numbers"],
        "by_kind": o["by_kind"],
        "by_lang": o["by_lang"],
        "not_found_precision": o["not_found_precision"],
        "not_found_recall": o["not_found_recall"],
        "citation_accuracy": o["citation_accuracy"],
        "retrieval_recall_at_5": o["retrieval_recall_at_5"],
        "latency_ms_p50": o["latency_ms_p50"],
        "latency_ms_p95": o["latency_ms_p95"],
        "errors": o["outcomes"]["error"],
        "baseline_accuracy": b["accuracy"] if b else None,
        "baseline_wrong_numbers": b["wrong_numbers"] if b else None,
        "baseline_by_kind": b["by_kind"] if b else None,
        "baseline_latency_ms_p50": b["latency_ms_p50"] if b else None,
        "baseline_latency_ms_p95": b["latency_ms_p95"] if b else None,
        "latency_ratio_p50": latency_ratio(ours.summary, baseline.summary if baseline else None),
        "ours": o,
        "baseline": b,
        **extra,
    }


def format_table(ours: SystemRun, baseline: SystemRun | None, cases: Sequence[Case]) -> str:
    o, b = ours.summary, baseline.summary if baseline else None
    width = 28

    def row(label: str, mine: str, theirs: str) -> str:
        return f"{label:<{width}}{mine:>12}{theirs:>12}"

    def both(getter: Callable[[Summary], Any], fmt: Callable[[Any], str]) -> tuple[str, str]:
        return fmt(getter(o)), fmt(getter(b)) if b else "-"

    lines = [row("", "ours", "baseline" if b else "(skipped)")]
    lines.append(row("accuracy", *both(lambda s: s.accuracy, _pct)))
    mine, theirs = both(lambda s: s.wrong_numbers, str)
    lines.append(row("WRONG NUMBERS  (worst)", f"** {mine}", f"** {theirs}" if b else "-"))
    for outcome, label in (
        ("ambiguous", "ambiguous (gold listed)"),
        ("not_found", "missed (said not found)"),
        ("no_value", "answered without value"),
        ("error", "errors"),
    ):
        lines.append(row(label, str(o.outcomes[outcome]), str(b.outcomes[outcome]) if b else "-"))
    lines.append(row("not-found precision", *both(lambda s: s.not_found_precision, _pct)))
    lines.append(row("not-found recall", *both(lambda s: s.not_found_recall, _pct)))
    lines.append(row("citation accuracy", *both(lambda s: s.citation_accuracy, _pct)))
    lines.append(
        row(f"retrieval recall@{RECALL_K}", *both(lambda s: s.retrieval_recall_at_5, _pct))
    )
    lines.append(row("latency p50 (ms)", *both(lambda s: s.latency_ms_p50, _ms)))
    lines.append(row("latency p95 (ms)", *both(lambda s: s.latency_ms_p95, _ms)))
    lines.append(
        row("load (s)", f"{ours.load_s:.1f}", f"{baseline.load_s:.1f}" if baseline else "-")
    )
    ratio = latency_ratio(o, b)
    if ratio is not None:
        lines.append(f"latency ratio ours/baseline (p50): {ratio:.1f}x")
    for title, ours_groups, base_groups in (
        ("by kind", o.by_kind, b.by_kind if b else {}),
        ("by language", o.by_lang, b.by_lang if b else {}),
    ):
        lines.append("")
        lines.append(f"{title:<{width - 6}}{'n':>6}{'ours':>12}{'baseline':>12}")
        for key, group in ours_groups.items():
            theirs_group = base_groups.get(key)
            mine = f"{_pct(group.accuracy)}"
            if group.wrong_numbers:
                mine = f"{mine} ({group.wrong_numbers}w)"
            theirs = "-"
            if theirs_group is not None:
                theirs = f"{_pct(theirs_group.accuracy)}"
                if theirs_group.wrong_numbers:
                    theirs = f"{theirs} ({theirs_group.wrong_numbers}w)"
            lines.append(f"  {key:<{width - 8}}{group.n:>6}{mine:>12}{theirs:>12}")
    lines.append("")
    lines.append(format_splits(ours, baseline, cases))
    # test cases are read in aggregate only: their failures are counted above, never listed
    split_of = {c.id: c.split for c in cases}
    failures = [r for r in ours.results if not r.correct and split_of.get(r.id) != "test"]
    if failures:
        lines.append("")
        lines.append(
            f"ours got {len(failures)} dev cases wrong (WRONG = a wrong figure); "
            "test failures are not listed:"
        )
        for r in sorted(failures, key=lambda r: (r.outcome != WRONG_NUMBER, r.id)):
            lines.append(format_failure(r))
    return "\n".join(lines)


def split_summaries(
    results: Sequence[CaseResult], cases: Sequence[Case]
) -> dict[str, dict[str, Summary]]:
    """{split: {"all" | case file: Summary}} in case order."""
    by: dict[str, dict[str, list[CaseResult]]] = {}
    for case, result in zip(cases, results, strict=True):
        files = by.setdefault(case.split, {"all": []})
        files["all"].append(result)
        files.setdefault(case.source, []).append(result)
    return {split: {name: summarise(rs) for name, rs in files.items()} for split, files in by.items()}


def format_splits(ours: SystemRun, baseline: SystemRun | None, cases: Sequence[Case]) -> str:
    mine = split_summaries(ours.results, cases)
    theirs = split_summaries(baseline.results, cases) if baseline else {}
    lines = [f"{'split / file':<30}{'n':>5}{'ours':>9}{'wrong':>7}{'ambig':>7}{'nf':>5}{'baseline':>10}"]
    for split in ("dev", "test"):
        for name, summary in mine.get(split, {}).items():
            label = f"{split} (all)" if name == "all" else f"  {name}"
            base = theirs.get(split, {}).get(name)
            lines.append(
                f"{label:<30}{summary.n:>5}{_pct(summary.accuracy):>9}{summary.wrong_numbers:>7}"
                f"{summary.outcomes['ambiguous']:>7}{summary.outcomes['not_found']:>5}"
                f"{_pct(base.accuracy) if base else '-':>10}"
            )
    return "\n".join(lines)


def split_object(ours: SystemRun, baseline: SystemRun | None, cases: Sequence[Case]) -> dict[str, Any]:
    """The --json `splits` entry: per split and per case file, accuracy and wrong figures."""
    mine = split_summaries(ours.results, cases)
    theirs = split_summaries(baseline.results, cases) if baseline else {}
    out: dict[str, Any] = {}
    for split, files in mine.items():
        out[split] = {
            name: {
                "n": s.n, "accuracy": s.accuracy, "wrong_numbers": s.wrong_numbers,
                "ambiguous": s.outcomes["ambiguous"], "not_found": s.outcomes["not_found"],
                "baseline_accuracy": theirs[split][name].accuracy if split in theirs else None,
                "baseline_wrong_numbers": theirs[split][name].wrong_numbers if split in theirs else None,
            }
            for name, s in files.items()
        }
    return out


# A run falls short of the recorded figures (eval/gate.json, the README's table) when its test
# accuracy is this far below them, or it gives more wrong figures.
GATE_DROP = 0.03


def check_gate(splits: Mapping[str, Any], gate: Mapping[str, Any]) -> list[str]:
    """What falls short of the recorded figures, one line each ([] when all holds)."""
    problems = []
    for split, recorded in gate.items():
        got = splits.get(split, {}).get("all")
        if got is None:
            problems.append(f"{split}: no cases in this run")
            continue
        accuracy = got["accuracy"] or 0.0
        if accuracy < recorded["accuracy"] - GATE_DROP:
            problems.append(
                f"{split} accuracy {_pct(accuracy)} is more than {GATE_DROP:.0%} below the "
                f"recorded {_pct(recorded['accuracy'])}"
            )
        if got["wrong_numbers"] > recorded["wrong_numbers"]:
            problems.append(
                f"{split} wrong figures {got['wrong_numbers']} exceed the recorded "
                f"{recorded['wrong_numbers']}"
            )
    return problems


def format_failure(r: CaseResult) -> str:
    gold = f"{r.gold} {r.gold_unit}".strip()
    if r.error:
        got = f"error: {r.error}"
    elif r.value is not None:
        got = f"{r.status} {r.value} {r.unit}".strip()
        if r.citations:
            got += f" [{', '.join(r.citations)}]"
    elif r.candidates:
        got = f"{r.status} [{', '.join(r.candidates)}]"
    else:
        got = r.status
    tag = "WRONG" if r.outcome == WRONG_NUMBER else r.outcome
    question = r.question if len(r.question) <= 60 else r.question[:57] + "..."
    return f"  {tag:<12} {r.id:<6} [{r.kind}/{r.lang}] gold {gold} <- {got} | {question}"


def write_run(
    path: Path,
    summary: dict[str, Any],
    cases: Sequence[Case],
    ours: SystemRun,
    baseline: SystemRun | None,
) -> None:
    base_by_id = {r.id: r for r in baseline.results} if baseline else {}
    per_case = []
    for case, result in zip(cases, ours.results, strict=True):
        entry: dict[str, Any] = {"id": case.id, "source": case.source, "ours": result.to_dict()}
        if case.id in base_by_id:
            entry["baseline"] = base_by_id[case.id].to_dict()
        per_case.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"summary": summary, "cases": per_case}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# CLI


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description="Score the Answerer (and a naive baseline) on known answers.",
    )
    parser.add_argument(
        "--cases",
        metavar="FILE",
        nargs="+",
        action="extend",
        type=Path,
        help="case files (JSON lines); default: every file of eval/dev/ and eval/test/",
    )
    parser.add_argument(
        "--store", metavar="DIR", help="store folder (default: $DQA_STORE, else .store/)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--baseline", choices=("fair", "naive", "none"), default="fair",
        help="the peer scored beside ours: fair (our stores, retrieval, filters and glossary, a number "
             "picked from the top passages, abstention threshold chosen on dev; default), naive "
             "(llama-index defaults, dense only), none",
    )
    parser.add_argument("--no-baseline", action="store_const", const="none", dest="baseline",
                        help="same as --baseline none")
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        type=Path,
        default=DEFAULT_CORPUS_DIR,
        help="where an empty store is built from (default: corpus/)",
    )
    parser.add_argument(
        "--reports",
        metavar="DIR",
        type=Path,
        action="append",
        help="where else to find reports the cases name (default: ../shared/real-reports)",
    )
    parser.add_argument(
        "--runs-dir",
        metavar="DIR",
        type=Path,
        default=RUNS_DIR,
        help="where the run's JSON goes (default: eval/runs/)",
    )
    parser.add_argument(
        "--gate",
        metavar="FILE",
        help="recorded figures (eval/gate.json): exit 3 when a split's accuracy falls more than "
        "3 points below them or its wrong figures exceed them",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    return parser


def seed_store(settings: Settings) -> Settings:
    """The store the seed cases are asked of: beside the main one, named <store>.seed."""
    from dataclasses import replace

    store = Path(settings.store)
    return replace(settings, store=store.with_name(store.name + ".seed"))


def run(args: argparse.Namespace) -> int:
    from index.build import store_stats

    case_files = args.cases or list(DEFAULT_CASE_FILES)
    cases = load_cases(case_files)
    if not cases:
        raise EvalError(f"no cases in {', '.join(str(p) for p in case_files)}")
    settings = Settings.from_env(args.store)
    report_dirs = args.reports or list(DEFAULT_REPORT_DIRS)
    started = datetime.now()
    progress = sys.stderr.isatty()
    # The seed cases were written for the collection they came with (the five seeds and the
    # one shared PDF) and are asked of it; every other case of the whole collection.
    seed_names = {f"dev/{p.name}" for p in SEED_CASE_FILES}
    groups = [
        (seed_store(settings), [c for c in cases if c.source in seed_names], False),
        (settings, [c for c in cases if c.source not in seed_names], True),
    ]
    notes: list[str] = []
    runs: list[tuple[Sequence[Case], SystemRun, SystemRun | None]] = []
    for group_settings, group, every in groups:
        if not group:
            continue
        notes += prepare_store(group_settings, group, args.corpus, report_dirs, every_report=every)
        mine = run_ours(group_settings.store, group, progress)
        theirs = None
        if args.baseline == "fair":
            theirs = run_fair_peer(group_settings.store, group, progress, notes)
        elif args.baseline == "naive":
            embed_model = store_stats(group_settings.store).get("embed_model") or settings.embed_model
            theirs = run_baseline(group_settings.store, group, embed_model, progress)
        runs.append((group, mine, theirs))
    cases = [c for group, _, _ in runs for c in group]
    ours = SystemRun("ours", [r for _, run_, _ in runs for r in run_.results], sum(r.load_s for _, r, _ in runs))
    baseline = None
    if args.baseline != "none":
        baseline = SystemRun("baseline", [r for _, _, b in runs if b for r in b.results],
                             sum(b.load_s for _, _, b in runs if b))
    run_file = Path(args.runs_dir) / f"{started:%Y%m%d-%H%M%S}.json"
    sources: dict[str, int] = {}
    for case in cases:
        sources[case.source] = sources.get(case.source, 0) + 1
    extra = {
        "store": str(settings.store),
        "case_files": [str(p) for p in case_files],
        "cases_by_file": sources,
        "notes": notes,
        "ours_load_s": ours.load_s,
        "baseline_load_s": baseline.load_s if baseline else None,
        "started": started.isoformat(timespec="seconds"),
        "run_file": str(run_file),
    }
    summary = summary_object(ours, baseline, extra)
    summary["splits"] = split_object(ours, baseline, cases)
    write_run(run_file, summary, cases, ours, baseline)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        counts = ", ".join(f"{name} {n}" for name, n in sources.items())
        print(f"disclosure QA eval: {len(cases)} cases ({counts}), store {settings.store}")
        for note in notes:
            print(f"  note: {note}")
        print(format_table(ours, baseline, cases))
        print(f"\nrun written to {run_file}")
    if args.gate:
        gate = json.loads(Path(args.gate).read_text(encoding="utf-8"))
        problems = check_gate(summary["splits"], gate)
        for problem in problems:
            print(f"eval gate: {problem}", file=sys.stderr)
        if problems:
            return 3
        print(f"eval gate: holds against {args.gate}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from index.stores import StoreError

    try:
        return run(args)
    except (
        EvalError,
        CaseFileError,
        StoreError,
        ReportFormatError,
        ValueError,
        OSError,
        sqlite3.Error,
    ) as exc:
        log.debug("eval failed", exc_info=True)
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
