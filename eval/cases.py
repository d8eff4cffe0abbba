"""case files -> Case: the known-answer questions the eval scores (CONTRACT.md `eval`).

A case line is one JSON object: id, question, answer (the figure as printed, or NOT_IN_DOC),
unit, doc (the report's file name; "" when the question names no report in the corpus),
evidence (an exact substring of that report's text), kind and lang. The shared PDF set has no
`lang`; it is then read off the question. Cases written from the real PDFs also carry `page`.

Cases live in two folders: `eval/dev/` (looked at while building) and `eval/test/` (written
before the build by a session that had not read `qa/`; read in aggregate only). A case's split
is the folder its file is in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

NOT_IN_DOC = "NOT_IN_DOC"
KINDS = ("table", "text", "computed", "compare", "absent")
LANGS = ("zh", "en", "mixed")

EVAL_DIR = Path(__file__).resolve().parent
SPLITS = ("dev", "test")
# The shared sets (copies of ../shared/eval/) and the first cases written from the seeds: the
# cases the synthetic scale bench multiplies.
SEED_CASE_FILES = (
    EVAL_DIR / "dev" / "public.jsonl",
    EVAL_DIR / "dev" / "pdf_public.jsonl",
    EVAL_DIR / "dev" / "extra.jsonl",
)
# Every case file of both splits, dev first.
DEFAULT_CASE_FILES = tuple(
    [*SEED_CASE_FILES, *(p for p in sorted((EVAL_DIR / "dev").glob("*.jsonl")) if p not in SEED_CASE_FILES)]
    + sorted((EVAL_DIR / "test").glob("*.jsonl"))
)
# Where the reports the cases name are found: the corpus, then the shared real PDFs.
DEFAULT_CORPUS_DIR = Path("corpus")
# (the shared folder beside the repository, whatever the working directory)
DEFAULT_REPORT_DIRS = (
    Path("../shared/real-reports"),
    EVAL_DIR.parent.parent / "shared" / "real-reports",
)

_REQUIRED = ("id", "question", "answer")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")


class CaseFileError(ValueError):
    """A case file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    answer: str
    unit: str
    doc: str
    evidence: str
    kind: str
    lang: str
    source: str = ""  # the case file's name, for the report
    split: str = "dev"  # dev | test: the folder of its case file
    page: int = 0  # where the evidence is printed (PDF cases), 0 when not given

    @property
    def absent(self) -> bool:
        """The gold answer is "this is in no report": only not_found is right."""
        return self.answer == NOT_IN_DOC


def guess_lang(question: str) -> str:
    """zh when the question has no Latin words, en when it has no Chinese, else mixed."""
    has_zh = bool(_CJK_RE.search(question))
    has_en = bool(_LATIN_WORD_RE.search(question))
    if has_zh and has_en:
        return "mixed"
    return "en" if has_en else "zh"


def parse_case(data: dict[str, object], where: str = "", source: str = "", split: str = "dev") -> Case:
    """One case line -> Case. Raises CaseFileError naming `where` (file:line) and the fix."""
    # not `or ""`: a gold written as the JSON number 0 is an answer, not a missing one
    missing = [k for k in _REQUIRED if data.get(k) is None or not str(data[k]).strip()]
    if missing:
        raise CaseFileError(
            f"{where}: missing {', '.join(missing)}; every case needs id, question and answer"
        )
    answer = str(data["answer"]).strip()
    question = str(data["question"]).strip()
    # The shared PDF set labels two absent cases kind=text; by_kind groups by what is tested,
    # so a NOT_IN_DOC gold is always counted under "absent".
    kind = "absent" if answer == NOT_IN_DOC else str(data.get("kind") or "text")
    if kind not in KINDS:
        raise CaseFileError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    lang = str(data.get("lang") or guess_lang(question))
    if lang not in LANGS:
        raise CaseFileError(f"{where}: lang {lang!r} is not one of {', '.join(LANGS)}")
    return Case(
        id=str(data["id"]).strip(),
        question=question,
        answer=answer,
        unit=str(data.get("unit") or "").strip(),
        doc=str(data.get("doc") or "").strip(),
        evidence=str(data.get("evidence") or ""),
        kind=kind,
        lang=lang,
        source=source,
        split=split,
        page=int(str(data.get("page") or 0)),
    )


def read_case_file(path: Path | str) -> list[Case]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot read the case file ({exc.strerror or exc})") from exc
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseFileError(f"{where}: not a JSON object ({exc.msg})") from exc
        if not isinstance(data, dict):
            raise CaseFileError(f"{where}: expected a JSON object, got {type(data).__name__}")
        in_split = path.parent.name in SPLITS
        split = path.parent.name if in_split else "dev"
        source = f"{split}/{path.name}" if in_split else path.name
        cases.append(parse_case(data, where, source=source, split=split))
    return cases


def load_cases(paths: Iterable[Path | str] = DEFAULT_CASE_FILES) -> list[Case]:
    """All cases of the files in order; an id used twice (in any of them) is an error."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in paths:
        for case in read_case_file(path):
            if case.id in seen:
                raise CaseFileError(
                    f"{path}: case id {case.id} is already used in {seen[case.id]}; ids must be unique"
                )
            seen[case.id] = str(path)
            cases.append(case)
    return cases


def find_report(
    doc: str,
    corpus_dir: Path = DEFAULT_CORPUS_DIR,
    report_dirs: Sequence[Path] = DEFAULT_REPORT_DIRS,
) -> Path | None:
    """The file a case's `doc` names: corpus/<doc>, else <report dir>/<doc>."""
    if not doc:
        return None
    for folder in (corpus_dir, *report_dirs):
        candidate = Path(folder) / doc
        if candidate.is_file():
            return candidate
    return None


def report_text(path: Path) -> str:
    """The text evidence is quoted from: the file itself, or for a PDF what index.pdf reads."""
    if path.suffix.lower() == ".pdf":
        from index.pdf import load_pdf

        return load_pdf(path, max(path.stat().st_size, 1))[1]
    return path.read_text(encoding="utf-8")


def squash(text: str) -> str:
    """Text with whitespace and table-cell bars removed, to find a quote in a chunk.

    Chunks render table rows as "30107 | 绩效工资 | 93.44" and wrap prose, while evidence is
    quoted from the file ("30107\\t绩效工资\\t93.44"); neither difference changes the words.
    """
    return re.sub(r"[\s|]+", "", text)
