"""Command line for files -> stores: `python -m index build | add | remove | check | stats`
(CONTRACT.md).

Exit codes: 0 done, 1 a file or the store could not be used (one line per problem on stderr),
2 bad flags (argparse), 130 interrupted. stdout carries only the per-file summary lines or
the stats JSON; progress bars and logs go to stderr (bars only on a terminal).
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Sequence
from typing import Any

from index.config import Settings
from index.models import ReportFormatError


class _ProgressBar:
    """A tqdm bar on stderr per stage; tqdm's disable=None turns it off when stderr is no TTY."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int, name: str) -> None:
        from tqdm import tqdm

        if stage != self._stage or self._bar is None:
            self.close()
            self._bar = tqdm(total=total, desc=stage, unit="file", file=sys.stderr, disable=None,
                             leave=False)  # fmt: skip
            self._stage = stage
        self._bar.n = done
        self._bar.set_postfix_str(name, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store", metavar="DIR", help="store folder (default: $DQA_STORE, else .store/)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser = argparse.ArgumentParser(
        prog="python -m index", description="Build and update the disclosure QA store."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build", parents=[common], help="(re)build the whole store from a corpus folder"
    )
    build.add_argument("--corpus", metavar="DIR", default="corpus", help="default: corpus/")
    add = commands.add_parser("add", parents=[common], help="add or update report files")
    add.add_argument("paths", nargs="+", metavar="PATH", help=".txt .md .pdf .docx .html files")
    who = add.add_argument_group(
        "identity", "set by hand over what the document says; kept on later adds of the file"
    )
    who.add_argument("--org", help="the organisation, as printed (e.g. 上海市普陀区财政局)")
    who.add_argument("--year", type=int, help="the budget or accounts year, e.g. 2025")
    who.add_argument("--kind", choices=("预算", "决算", "绩效自评"))
    who.add_argument("--scope", choices=("部门", "单位"), help="部门 (with its units) or 单位 (one unit)")
    who.add_argument("--level", choices=("区级", "市级", "省级"))
    who.add_argument(
        "--same-report-as", metavar="NAME", dest="joined",
        help="this file is part of the stored report NAME (e.g. its tables file)",
    )
    remove = commands.add_parser("remove", parents=[common], help="remove stored reports by name")
    remove.add_argument("names", nargs="+", metavar="NAME", help="report names as `stats` lists them")
    check = commands.add_parser(
        "check", parents=[common], help="a report's own consistency checks (a file or a stored name)"
    )
    check.add_argument(
        "targets", nargs="+", metavar="FILE|NAME",
        help="a report file (analysed, not added) or the name of a stored report",
    )  # fmt: skip
    check.add_argument("--json", action="store_true", help="one JSON line per report")
    stats = commands.add_parser("stats", parents=[common], help="count what the store holds")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _report_results(results: Sequence[Any], *, show_skipped: bool) -> int:
    failed = 0
    for result in results:
        if result.status == "error":
            failed += 1
            print(result.summary(), file=sys.stderr, flush=True)
        elif result.status != "skipped" or show_skipped:
            print(result.summary(), flush=True)
    return failed


def _check(targets: Sequence[str], settings: Settings, as_json: bool) -> int:
    """`index check`: each target's findings on stdout; a target that cannot be checked is one
    line on stderr (the others are still checked) and makes the exit code 1."""
    from pathlib import Path

    from index.analyse import analyse_file
    from index.build import shown_name
    from index.checks import Material, findings, material_from_store
    from index.stores import FACTS_FILE, SqliteFactStore

    store: SqliteFactStore | None = None
    failed = 0
    try:
        for target in targets:
            path = Path(target)
            material: Material | None = None
            if path.is_file():
                try:
                    material = Material.of_analysis(analyse_file(path, settings.max_bytes))
                except (ReportFormatError, OSError) as exc:
                    print(f"error: {shown_name(path.name)}: {_one_line(exc)}", file=sys.stderr, flush=True)
                    failed += 1
                    continue
            else:
                if store is None and (settings.store / FACTS_FILE).is_file():
                    store = SqliteFactStore(settings.store / FACTS_FILE, create=False)
                material = material_from_store(store, target) if store is not None else None
                if material is None:
                    print(f"error: {shown_name(target)}: no such file and no stored report of that name in "
                          f"{settings.store}", file=sys.stderr, flush=True)  # fmt: skip
                    failed += 1
                    continue
            found = findings(material)
            if as_json:
                line = {"report": material.report, "findings": [f.as_dict() for f in found]}
                print(json.dumps(line, ensure_ascii=False), flush=True)
                continue
            errors = sum(1 for f in found if f.severity == "error")
            print(f"{material.report}: {len(found)} findings ({errors} errors, {len(found) - errors} warnings)")
            for f in found:
                print(f"  {f.severity:<7} {f.rule}: {f.message}")
                for fig in f.figures:
                    print(f"          {fig.value} — {fig.locator}")
            sys.stdout.flush()
    finally:
        if store is not None:
            store.close()
    return 1 if failed else 0


def _run(args: argparse.Namespace) -> int:
    from index.build import (
        add_files,
        build_corpus,
        recover_store,
        remove_reports,
        shown_name,
        store_stats,
    )

    settings = Settings.from_env(args.store)
    if args.command == "check":
        return _check(args.targets, settings, args.json)
    if args.command == "remove":
        for name in remove_reports(args.names, settings):
            print(f"removed {shown_name(name)}")
        return 0
    if args.command == "stats":
        recover_store(settings.store)
        stats = store_stats(settings.store)
        if args.json:
            print(json.dumps(stats, ensure_ascii=False))
        else:
            print(f"{settings.store}: {stats['reports']} reports, {stats['chunks']} chunks, "
                  f"{stats['facts']} facts")  # fmt: skip
            for name in stats["report_names"]:
                print(f"  {name}")
        return 0

    progress = _ProgressBar()
    started = time.perf_counter()
    try:
        if args.command == "add":
            identity = {k: getattr(args, k) for k in ("org", "year", "kind", "scope", "level", "joined")}
            results = add_files(args.paths, settings, progress=progress, identity=identity)
        else:
            results = build_corpus(args.corpus, settings, progress=progress)
    finally:
        progress.close()
    failed = _report_results(results, show_skipped=args.command == "add")
    if args.command == "build":
        if failed:
            print(f"error: build stopped, {failed} file(s) could not be read; "
                  f"{settings.store} was left as it was", file=sys.stderr)  # fmt: skip
        else:
            stats = store_stats(settings.store)
            print(f"built {settings.store}: {stats['reports']} reports, {stats['chunks']} chunks, "
                  f"{stats['facts']} facts in {time.perf_counter() - started:.1f}s")  # fmt: skip
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from index.stores import StoreError

    try:
        return _run(args)
    except NotImplementedError:
        print("error: report parsing (index.analyse.analyse_file) is not implemented yet",
              file=sys.stderr)  # fmt: skip
        return 1
    except (StoreError, ReportFormatError, ValueError, OSError, sqlite3.Error) as exc:
        logging.getLogger("index").debug("command failed", exc_info=True)
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the store was left as it was", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
