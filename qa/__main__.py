"""CLI: python -m qa ask "QUESTION" [--store DIR] [--json]; batch mode reads stdin lines."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from index.stores import StoreError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Answer questions from the report store.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question, or one per stdin line")
    ask.add_argument("question", nargs="?", help="the question; omit to read one per line from stdin")
    ask.add_argument("--store", help="store directory (default: $DQA_STORE or .store/)")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object per question")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from qa.answerer import Answerer

    try:
        answerer = Answerer(args.store)
    except (StoreError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    def emit(result: dict) -> None:
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
            return
        print(result["answer"])
        for cite in result.get("citations", []):
            print(f"  [{cite['report']}] {cite['locator']}: {cite['quote'][:120]}")
        print(flush=True)

    if args.question is not None:
        emit(answerer.ask(args.question))
        return 0
    for line in sys.stdin:
        # every input line gets its output line, an empty one too: answers stay in step
        emit(answerer.ask(line.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
