"""Scale benchmark: synthetic corpora of N reports -> build cost, store size, memory, question
latency and accuracy, beside the five seed reports as they are.

    python -m eval.bench [--sizes 50,500,2000] [--sample 10] [--seed 0] [--json]

Not a test: it prints measurements next to their targets and exits 0. For each size it
synthesises N reports from the seeds in corpus/ (eval/synth.py: renamed district, shifted
year, amounts scaled by a whole factor; each report keeps its own gold answers), builds a
store in a temporary folder, opens one Answerer and asks the transformed seed questions of
`--sample` reports per seed. Each size runs in its own process, so "peak RSS" (getrusage's
ru_maxrss) is that size's alone. The reference row "seeds" is the same questions asked of
the five untransformed seeds; at 2,000 reports the targets are p95 < 200 ms per question and
accuracy within 2 points of that row.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.cases import DEFAULT_CORPUS_DIR, SEED_CASE_FILES, Case, load_cases

DEFAULT_SIZES = (50, 500, 2000)
DEFAULT_SAMPLE = 4  # synthetic reports per seed whose questions are asked at each size
TARGET_SIZE = 2000
TARGET_P95_MS = 200.0
TARGET_ACCURACY_DROP = 0.02  # two points

log = logging.getLogger("eval.bench")


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _open_answerer(store: Path) -> Callable[[str], dict[str, Any]]:
    """The Answerer's ask; while it is not implemented, an ask that raises (scored as errors)."""

    def not_implemented(question: str) -> dict[str, Any]:
        raise NotImplementedError

    try:
        from qa.answerer import Answerer

        return Answerer(store).ask
    except NotImplementedError:
        return not_implemented


def measure(
    size: int, corpus: Path, case_files: Sequence[Path], sample: int, seed: int
) -> dict[str, Any]:
    """Build a store of `size` synthetic reports (0: the seeds as they are) and ask questions."""
    from eval.__main__ import run_cases, warm_up
    from eval.metrics import summarise
    from eval.synth import seed_cases, synthesise
    from index.build import build_corpus, store_stats
    from index.config import Settings
    from index.embed import load_embedder

    seeds = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")
    cases = load_cases(case_files)
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory(prefix="dqa-scale-") as tmp:
        root = Path(tmp)
        # Model, jieba dictionary and Chroma load once per process: a one-report build first,
        # so "build s" is the cost of the reports, not of the first imports.
        started = time.perf_counter()
        load_embedder(settings.embed_model)
        (root / "warm").mkdir()
        shutil.copy(seeds[0], root / "warm" / seeds[0].name)
        build_corpus(
            root / "warm", Settings(store=root / "warm-store", embed_model=settings.embed_model)
        )
        model_load_s = time.perf_counter() - started
        dropped = 0
        asked: list[Case] = []
        if size == 0:
            folder = corpus
            for path in seeds:
                asked.extend(seed_cases(cases, path.name))
        else:
            started = time.perf_counter()
            synth = synthesise(seeds, cases, size, root / "corpus", seed=seed)
            log.info("synthesised %d reports in %.1fs", size, time.perf_counter() - started)
            folder, dropped = synth.folder, synth.dropped
            from eval.synth import sample_reports

            for name in sample_reports(synth, sample, seed):
                asked.extend(synth.cases[name])
        store = root / "store"
        build_settings = Settings(store=store, embed_model=settings.embed_model)
        started = time.perf_counter()
        results = build_corpus(folder, build_settings)
        build_s = time.perf_counter() - started
        failed = [r.summary() for r in results if r.status == "error"]
        if failed:
            raise SystemExit("build failed: " + "; ".join(failed[:5]))
        stats = store_stats(store)
        store_mb = _folder_bytes(store) / 1e6
        rss_build_mb = _peak_rss_mb()

        started = time.perf_counter()
        ask = _open_answerer(store)
        warm_up(ask, asked)
        answer_load_s = time.perf_counter() - started
        case_results = run_cases(
            asked, ask, label=f"{size or 'seeds'} reports", progress=sys.stderr.isatty()
        )
        summary = summarise(case_results)
    return {
        "size": size,
        "reports": stats["reports"],
        "chunks": stats["chunks"],
        "facts": stats["facts"],
        "model_load_s": model_load_s,
        "build_s": build_s,
        "build_s_per_report": build_s / max(stats["reports"], 1),
        "store_mb": store_mb,
        "peak_rss_build_mb": rss_build_mb,
        "peak_rss_mb": _peak_rss_mb(),
        "answerer_load_s": answer_load_s,
        "questions": summary.n,
        "cases_dropped": dropped,
        "accuracy": summary.accuracy,
        "wrong_numbers": summary.wrong_numbers,
        "errors": summary.outcomes["error"],
        "latency_ms_p50": summary.latency_ms_p50,
        "latency_ms_p95": summary.latency_ms_p95,
    }


def _run_child(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """One size in a fresh process, so its peak memory is its own."""
    command = [
        sys.executable,
        "-m",
        "eval.bench",
        "--one",
        str(size),
        "--corpus",
        str(args.corpus),
        "--sample",
        str(args.sample),
        "--seed",
        str(args.seed),
    ]
    for path in args.cases or []:
        command += ["--cases", str(path)]
    if args.verbose:
        command.append("-v")
    log.warning("measuring %s ...", f"{size} synthetic reports" if size else "the seed reports")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"size": size, "error": f"exit {done.returncode}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _fmt(value: Any, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def format_bench(rows: Sequence[dict[str, Any]]) -> str:
    header = (
        f"{'reports':>8} {'chunks':>8} {'facts':>9} {'build s':>8} {'s/report':>9} "
        f"{'store MB':>9} {'peak MB':>8} {'load s':>7} {'qs':>5} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'accuracy':>9} {'wrong':>6}"
    )
    lines = [header]
    reference = next((r for r in rows if r.get("size") == 0 and "error" not in r), None)
    for row in rows:
        label = "seeds" if row["size"] == 0 else str(row["size"])
        if "error" in row:
            lines.append(f"{label:>8} failed: {row['error']}")
            continue
        accuracy = "n/a" if row["accuracy"] is None else f"{100 * row['accuracy']:.1f}%"
        lines.append(
            f"{label:>8} {row['chunks']:>8} {row['facts']:>9} {row['build_s']:>8.1f} "
            f"{row['build_s_per_report']:>9.3f} {row['store_mb']:>9.1f} {row['peak_rss_mb']:>8.0f} "
            f"{row['answerer_load_s']:>7.1f} {row['questions']:>5} {_fmt(row['latency_ms_p50'], '.1f'):>7} "
            f"{_fmt(row['latency_ms_p95'], '.1f'):>7} {accuracy:>9} {row['wrong_numbers']:>6}"
        )
    measured = [r for r in rows if r.get("size") and "error" not in r]
    if len(measured) >= 2:
        first, last = measured[0], measured[-1]
        grow = last["reports"] / first["reports"]
        lines.append(
            f"{first['reports']} -> {last['reports']} reports (x{grow:.0f}): build time "
            f"x{last['build_s'] / first['build_s']:.1f}, store x{last['store_mb'] / first['store_mb']:.1f}, "
            f"peak memory x{last['peak_rss_mb'] / first['peak_rss_mb']:.1f}, p95 latency "
            f"x{(last['latency_ms_p95'] or 0) / (first['latency_ms_p95'] or 1):.1f}"
        )
    target = next((r for r in measured if r["size"] == TARGET_SIZE), None)
    if target is not None:
        p95 = target["latency_ms_p95"]
        ok = p95 is not None and p95 < TARGET_P95_MS
        lines.append(
            f"target at {TARGET_SIZE}: p95 {_fmt(p95, '.1f')} ms < {TARGET_P95_MS:.0f} ms   "
            f"{'ok' if ok else 'MISS'}"
        )
        if (
            reference is not None
            and reference["accuracy"] is not None
            and target["accuracy"] is not None
        ):
            drop = reference["accuracy"] - target["accuracy"]
            ok = drop <= TARGET_ACCURACY_DROP
            lines.append(
                f"target at {TARGET_SIZE}: accuracy {100 * target['accuracy']:.1f}% vs "
                f"{100 * reference['accuracy']:.1f}% on the seeds (drop {100 * drop:.1f} "
                f"points, at most {100 * TARGET_ACCURACY_DROP:.0f})   "
                f"{'ok' if ok else 'MISS'}"
            )
    return "\n".join(lines)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes takes numbers like 50,500,2000, got {text!r}"
        ) from None
    if not sizes or any(n <= 0 for n in sizes):
        raise argparse.ArgumentTypeError(f"--sizes must be positive numbers, got {text!r}")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="corpus sizes, comma separated (default: 50,500,2000)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=DEFAULT_SAMPLE,
        help=f"reports per seed asked at each size (default {DEFAULT_SAMPLE})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthesis")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_DIR, help="seed reports")
    parser.add_argument(
        "--cases",
        type=Path,
        action="append",
        help="case files whose seed cases are asked (default: eval/*.jsonl)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.sample <= 0:
        parser.error(f"--sample must be > 0, got {args.sample}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    case_files = args.cases or list(SEED_CASE_FILES)
    if args.one is not None:
        print(
            json.dumps(measure(args.one, args.corpus, case_files, args.sample, args.seed)),
            flush=True,
        )
        return 0
    rows = []
    for size in [0, *args.sizes]:
        rows.append(_run_child(size, args))
        log.warning("%s", format_bench(rows).splitlines()[len(rows)])  # this size's row
    if args.json:
        print(
            json.dumps({"rows": rows, "target_size": TARGET_SIZE, "target_p95_ms": TARGET_P95_MS})
        )
    else:
        print(format_bench(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
