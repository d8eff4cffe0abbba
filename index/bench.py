"""Timing of files -> stores: model load, corpus build, PDF pages/s, build ÷ pure embedding.

Run `python -m index.bench [--corpus corpus] [--pdf ../shared/real-reports/*.pdf] [--json]`.
Not a test: it prints measurements next to their targets and always exits 0 (unless a file
cannot be read at all). Builds into a temporary store, never the real one.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from index.config import Settings

DEFAULT_PDF_GLOB = "../shared/real-reports/*.pdf"
TARGET_BUILD_S = 30.0  # five-report corpus, after models are loaded
TARGET_PAGES_PER_S = 5.0
TARGET_BUILD_OVER_EMBED = 2.0


@dataclass(frozen=True)
class PdfTiming:
    name: str
    pages: int
    seconds: float

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True)
class BenchResult:
    embed_model: str
    model_load_s: float
    reports: int
    chunks: int
    build_s: float
    parse_s: float
    embed_s: float
    pdfs: tuple[PdfTiming, ...]

    @property
    def build_over_embed(self) -> float:
        return self.build_s / self.embed_s if self.embed_s else float("inf")


def run_bench(corpus: Path, pdfs: list[Path], embed_model: str) -> BenchResult:
    from index.analyse import analyse_file
    from index.build import build_corpus
    from index.embed import load_embedder
    from index.formats import SUPPORTED_SUFFIXES
    from index.stores import tokenize

    started = time.perf_counter()
    embedder = load_embedder(embed_model)
    # Everything loaded once per process counts as model load: jieba's dictionary and the
    # Chroma/llama-index imports take about as long as the build of five reports itself.
    tokenize("预热")
    import chromadb  # noqa: F401
    import llama_index.vector_stores.chroma  # noqa: F401

    model_load_s = time.perf_counter() - started

    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    with tempfile.TemporaryDirectory(prefix="dqa-bench-") as tmp:
        settings = Settings(store=Path(tmp) / "store", embed_model=embed_model)
        started = time.perf_counter()
        results = build_corpus(corpus, settings)
        build_s = time.perf_counter() - started
    failed = [r for r in results if r.status == "error"]
    if failed:
        raise SystemExit("\n".join(r.summary() for r in failed))

    # Parse and embed again, separately, so the build can be split into its parts.
    started = time.perf_counter()
    analyses = [analyse_file(p, settings.max_bytes) for p in files]
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    for analysis in analyses:  # one call per report, as the build does
        embedder.embed([c.text for c in analysis.chunks])
    embed_s = time.perf_counter() - started

    timings = []
    for pdf in pdfs:
        started = time.perf_counter()
        report = analyse_file(pdf, settings.max_bytes).report
        timings.append(PdfTiming(pdf.name, report.pages or 0, time.perf_counter() - started))

    return BenchResult(
        embed_model=embedder.name,
        model_load_s=model_load_s,
        reports=len(results),
        chunks=sum(len(a.chunks) for a in analyses),
        build_s=build_s,
        parse_s=parse_s,
        embed_s=embed_s,
        pdfs=tuple(timings),
    )


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def format_bench(result: BenchResult) -> str:
    lines = [
        f"models load ({result.embed_model}, jieba, chroma): {result.model_load_s:.2f} s",
        f"corpus build ({result.reports} reports, {result.chunks} chunks): "
        f"{result.build_s:.2f} s   target < {TARGET_BUILD_S:.0f} s   "
        f"{_verdict(result.build_s < TARGET_BUILD_S)}",
        f"  parse only: {result.parse_s:.2f} s",
        f"  embed only: {result.embed_s:.3f} s",
        f"build ÷ embed: {result.build_over_embed:.1f}   target ≤ {TARGET_BUILD_OVER_EMBED:.0f}   "
        f"{_verdict(result.build_over_embed <= TARGET_BUILD_OVER_EMBED)}",
    ]
    for pdf in result.pdfs:
        lines.append(
            f"PDF {pdf.name}: {pdf.pages} pages in {pdf.seconds:.2f} s = "
            f"{pdf.pages_per_s:.1f} pages/s   target ≥ {TARGET_PAGES_PER_S:.0f}   "
            f"{_verdict(pdf.pages_per_s >= TARGET_PAGES_PER_S)}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.bench", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument(
        "--pdf", type=Path, nargs="*", default=None, help=f"default: {DEFAULT_PDF_GLOB}"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    pdfs = args.pdf if args.pdf is not None else sorted(Path().glob(DEFAULT_PDF_GLOB))
    result = run_bench(args.corpus, list(pdfs), Settings.from_env().embed_model)
    if args.json:
        data = asdict(result)
        data["build_over_embed"] = result.build_over_embed
        data["pdfs"] = [dict(asdict(p), pages_per_s=p.pages_per_s) for p in result.pdfs]
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(format_bench(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
