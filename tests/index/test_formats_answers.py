"""Issue 14: a web-page copy and a workbook copy of the shared 社会工作部 PDF, each added alone to a
store, answer the PDF's public questions (eval/dev/pdf_public.jsonl) as the PDF itself does: the
web page every question, the workbook (tables only, no narrative) every table question, and
neither gives a figure for a question whose figure the report does not print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shared_sample import MAX_BYTES, REPO, SAMPLE, needs_sample
from test_html import page_from_blocks
from test_sheets import workbook_from_tables

from index.analyse import analyse_file
from index.models import TableBlock

CASES = [json.loads(line) for line in (REPO / "eval" / "dev" / "pdf_public.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _answers(path: Path, store: Path) -> dict[str, tuple[str, str | None]]:
    from index.build import add_files
    from index.config import Settings
    from qa.answerer import Answerer

    [added] = add_files([path], Settings(store=store, embed_model="keywords"))
    assert added.status == "added", added.summary()
    answerer = Answerer(store)
    try:
        out: dict[str, tuple[str, str | None]] = {}
        for case in CASES:
            r: dict[str, Any] = answerer.ask(case["question"])
            out[case["id"]] = (r["status"], r.get("value"))
        return out
    finally:
        answerer.stores.close()


@needs_sample
def test_copies_answer_as_the_pdf_does(tmp_path: Path, keyword_embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import index.embed

    monkeypatch.setattr(index.embed, "load_embedder", lambda name="": keyword_embedder)
    pdf = analyse_file(SAMPLE, MAX_BYTES)
    page = tmp_path / "社会工作部2024决算.html"
    page.write_text(page_from_blocks(pdf.report.blocks, pdf.report.meta.org), encoding="utf-8")
    book = workbook_from_tables([b for b in pdf.report.blocks if isinstance(b, TableBlock)], tmp_path / "社会工作部2024决算.xlsx")

    reference = _answers(SAMPLE, tmp_path / "pdf-store")
    web = _answers(page, tmp_path / "web-store")
    sheet = _answers(book, tmp_path / "sheet-store")
    gold = {c["id"]: c["answer"] for c in CASES}
    right = {i for i, (status, value) in reference.items() if status == "answered" and value == gold[i]}
    assert len(right) >= 12  # the PDF answers its own cases (the two absent ones are not found)
    assert web == reference
    tables = [c["id"] for c in CASES if c["kind"] == "table"]
    assert {i: sheet[i] for i in tables} == {i: reference[i] for i in tables}
    absent = [c["id"] for c in CASES if c["answer"] == "NOT_IN_DOC"]
    assert all(sheet[i][0] != "answered" and web[i][0] != "answered" for i in absent)
    # (the workbook's identity comes from its tables and its file name: 中共上海市普陀区委社会工作部,
    # 2024, as the PDF's cover gives them; without that, every question naming the department
    # missed it)
