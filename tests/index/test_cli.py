"""`python -m index build | add | stats`: tables of (args, expected message, exit code)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.__main__ import main

REPO = Path(__file__).resolve().parents[2]
YUELU = "004_abd4107061c8b5b5.txt"
GOOD = "全区全年共签收12345热线工单84395件\n2210201 住房公积金 20.04\n"
EMPTY_STATS = {"reports": 0, "chunks": 0, "facts": 0, "report_names": [], "tables": 0}


def _stats(store: Path) -> dict:
    from index.build import store_stats

    return store_stats(store)


# -- in process, with the fake parser and embedder (always run) -------------------------------


@pytest.fixture
def cli(tmp_path: Path, fake_pipeline, monkeypatch: pytest.MonkeyPatch, capsys):
    """Run main() on files in tmp_path/in with --store tmp_path/store; returns (code, out, err)."""
    monkeypatch.setenv("DQA_EMBED_MODEL", "keywords")
    monkeypatch.delenv("DQA_CHROMA_URL", raising=False)
    monkeypatch.delenv("DQA_STORE", raising=False)
    files = tmp_path / "in"
    files.mkdir()
    for name, text in {
        "good.txt": GOOD,
        "岳麓区 2021 绩效 自评.txt": GOOD,
        "empty.txt": "",
        "crash.docx": "BOOM",
    }.items():
        (files / name).write_text(text, encoding="utf-8")
    store = tmp_path / "store"

    def run(*args: str) -> tuple[int, str, str]:
        argv = [a.replace("IN/", f"{files}/").replace("STORE", str(store)) for a in args]
        code = main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


ADDED_GOOD = "added good.txt: 长沙市岳麓区网格化综合服务中心 2021 绩效自评 — tables 1"


@pytest.mark.parametrize(
    ("args", "stdout", "stderr", "code"),
    [
        (["add", "IN/good.txt", "--store", "STORE"], [ADDED_GOOD], [], 0),
        (
            ["add", "IN/岳麓区 2021 绩效 自评.txt", "--store", "STORE"],
            ["added 岳麓区 2021 绩效 自评.txt: 长沙市岳麓区网格化综合服务中心 2021 绩效自评"],
            [],
            0,
        ),
        (
            ["add", "IN/empty.txt", "--store", "STORE"],
            [],
            ["error: empty.txt: the file is empty"],
            1,
        ),
        (
            ["add", "IN/crash.docx", "--store", "STORE"],
            [],
            ["error: crash.docx: RuntimeError: parser bug"],
            1,
        ),
        (["add", "IN/nope.pdf", "--store", "STORE"], [], ["error: nope.pdf: no such file"], 1),
        (["add", "IN/", "--store", "STORE"], [], ["error: in: not a file"], 1),
        (
            ["add", "IN/good.txt", "IN/empty.txt", "--store", "STORE"],
            ["skipped good.txt: not written, another file in this run failed"],
            ["error: empty.txt: the file is empty"],
            1,
        ),
    ],
)
def test_add(cli, tmp_path: Path, args, stdout, stderr, code) -> None:
    got_code, out, err = cli(*args)
    assert got_code == code
    out_lines, err_lines = out.splitlines(), err.splitlines()
    assert len(out_lines) == len(stdout)
    assert all(line.startswith(want) for line, want in zip(out_lines, stdout, strict=True))
    assert err_lines == stderr  # one line per bad file, nothing else
    if code:
        assert _stats(tmp_path / "store") == EMPTY_STATS
        assert not (tmp_path / "store").exists()


def test_add_twice_is_unchanged_and_stats_lists_the_reports(cli, tmp_path: Path) -> None:
    assert cli("add", "IN/good.txt", "IN/岳麓区 2021 绩效 自评.txt", "--store", "STORE")[0] == 0
    assert cli("add", "IN/good.txt", "--store", "STORE") == (0, "unchanged good.txt\n", "")
    code, out, err = cli("stats", "--store", "STORE", "--json")
    assert (code, err) == (0, "")
    identity = json.loads(out).pop("report_identity")
    assert [(r["name"], r["org"], r["year"], r["kind"], r["read"]) for r in identity] == [
        ("good.txt", "长沙市岳麓区网格化综合服务中心", 2021, "绩效自评", "plain text"),
        ("岳麓区 2021 绩效 自评.txt", "长沙市岳麓区网格化综合服务中心", 2021, "绩效自评", "plain text"),
    ]
    assert {k: v for k, v in json.loads(out).items() if k != "report_identity"} == {
        "reports": 2,
        "chunks": 4,
        "facts": 2,
        "report_names": ["good.txt", "岳麓区 2021 绩效 自评.txt"],
        "tables": 2,
        "embed_model": "keywords",
    }
    assert out.count("\n") == 1  # exactly one JSON object on one line


def test_identity_set_by_hand_is_kept_on_re_add(cli, tmp_path: Path) -> None:
    code, out, _ = cli("add", "IN/good.txt", "--org", "上海市普陀区财政局", "--year", "2025",
                       "--kind", "预算", "--scope", "单位", "--store", "STORE")
    assert code == 0 and out.startswith("added good.txt: 上海市普陀区财政局 2025 区级 单位预算")
    # the same file again, without flags: nothing changes, the hand-set identity stays
    assert cli("add", "IN/good.txt", "--store", "STORE") == (0, "unchanged good.txt\n", "")
    (row,) = _stats(tmp_path / "store")["report_identity"]
    assert (row["org"], row["year"], row["kind"], row["scope"], row["place"]) == (
        "上海市普陀区财政局", 2025, "预算", "单位", "上海市普陀区")
    # a new flag on the unchanged file re-reads it with both
    code, out, _ = cli("add", "IN/good.txt", "--same-report-as", "other.pdf", "--store", "STORE")
    assert code == 0 and out.startswith("replaced good.txt: 上海市普陀区财政局 2025")
    (row,) = _stats(tmp_path / "store")["report_identity"]
    assert (row["org"], row["joined"]) == ("上海市普陀区财政局", "other.pdf")


def test_a_bad_file_leaves_a_populated_store_unchanged(cli, tmp_path: Path) -> None:
    cli("add", "IN/good.txt", "--store", "STORE")
    before = _stats(tmp_path / "store")
    assert cli("add", "IN/岳麓区 2021 绩效 自评.txt", "IN/crash.docx", "--store", "STORE")[0] == 1
    assert _stats(tmp_path / "store") == before


def test_build_prints_one_line_per_report(cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / YUELU).write_text(GOOD, encoding="utf-8")
    code, out, err = cli("build", "--corpus", str(corpus), "--store", "STORE")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"added {YUELU}: 长沙市岳麓区网格化综合服务中心 2021 绩效自评")
    assert lines[1].startswith(f"built {tmp_path / 'store'}: 1 reports, 2 chunks, 1 facts in ")


def test_build_with_a_bad_file_keeps_the_store(cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = cli("build", "--corpus", str(corpus), "--store", "STORE")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: empty.txt: the file is empty",
        f"error: build stopped, 1 file(s) could not be read; {tmp_path / 'store'} was left as it was",
    ]
    code, out, err = cli("build", "--corpus", str(tmp_path / "nope"), "--store", "STORE")
    assert (code, out, err) == (1, "", f"error: corpus folder {tmp_path / 'nope'} does not exist\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["add"], "the following arguments are required: PATH"),
        (["stats", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_flags_exit_2(args: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


# -- as a subprocess, the way users and eval/ run it ------------------------------------------


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DQA_")}
    return subprocess.run(
        [sys.executable, "-m", "index", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_subprocess_stats_of_an_empty_store_and_a_missing_file(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    proc = _run("stats", "--store", store, "--json")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert json.loads(proc.stdout) == EMPTY_STATS
    proc = _run("add", str(tmp_path / "缺失 文件.pdf"), "--store", store)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == ["error: 缺失 文件.pdf: no such file"]
    proc = _run("stats", "--bogus")
    assert proc.returncode == 2 and "unrecognized arguments: --bogus" in proc.stderr
    assert not (tmp_path / "store").exists()


def _parser_ready() -> bool:
    from index.analyse import analyse_file

    try:
        analyse_file(REPO / "corpus" / YUELU, 100 * 1024 * 1024)
    except NotImplementedError:
        return False
    return True


needs_parser = pytest.mark.skipif(
    not _parser_ready(), reason="index.analyse.analyse_file is not implemented yet"
)


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one real report, added through the CLI (loads the real embedder once)."""
    store = tmp_path_factory.mktemp("seeded") / "store"
    proc = _run("add", str(REPO / "corpus" / YUELU), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
    return store


@pytest.fixture
def bad_files(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    noise = bytes(range(256)) * 64  # every byte value: not text in any encoding
    (folder / "noise.txt").write_bytes(noise)
    (folder / "noise.pdf").write_bytes(noise)
    (folder / "预算 报告.xlsx").write_bytes(b"PK\x03\x04 not supported")
    return folder


@needs_parser
@pytest.mark.slow
@pytest.mark.parametrize("name", ["empty.txt", "noise.txt", "noise.pdf", "预算 报告.xlsx"])
def test_subprocess_add_of_a_bad_file(
    name: str, bad_files: Path, seeded_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store)
    before = _run("stats", "--store", str(store), "--json").stdout
    proc = _run("add", str(bad_files / name), "--store", str(store))
    assert (proc.returncode, proc.stdout) == (1, "")
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"error: {name}: ") and len(line) > len(f"error: {name}: ")
    assert _run("stats", "--store", str(store), "--json").stdout == before


@needs_parser
@pytest.mark.slow
def test_subprocess_add_of_a_name_with_spaces_and_chinese(
    seeded_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store)
    renamed = tmp_path / "岳麓区 2021 绩效 自评.txt"
    shutil.copy(REPO / "corpus" / YUELU, renamed)
    proc = _run("add", str(renamed), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"added {renamed.name}: ")
    stats = json.loads(_run("stats", "--store", str(store), "--json").stdout)
    assert stats["report_names"] == [YUELU, renamed.name]
    again = _run("add", str(renamed), "--store", str(store))
    assert (again.returncode, again.stdout) == (0, f"unchanged {renamed.name}\n")


def test_remove_takes_a_report_out_and_a_bad_name_changes_nothing(cli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert cli("add", "IN/good.txt", "IN/岳麓区 2021 绩效 自评.txt", "--store", "STORE")[0] == 0
    before = _stats(store)
    assert before["reports"] == 2
    # one unknown name among good ones: nothing is removed, one line names it
    code, out, err = cli("remove", "good.txt", "nosuch.txt", "--store", "STORE")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "nosuch.txt" in err and "nothing was removed" in err
    assert _stats(store) == before
    code, out, err = cli("remove", "good.txt", "--store", "STORE")
    assert (code, out, err) == (0, "removed good.txt\n", "")
    after = _stats(store)
    assert after["report_names"] == ["岳麓区 2021 绩效 自评.txt"]
    assert after["facts"] < before["facts"] and after["chunks"] < before["chunks"]
    # the removed report is no longer answered from
    from qa.answerer import Answerer

    found = Answerer(store).retrieve("12345热线工单", 5)
    assert found and {c["report"] for c in found} == {"岳麓区 2021 绩效 自评.txt"}


def test_remove_without_a_store_says_so(cli) -> None:
    code, out, err = cli("remove", "good.txt", "--store", "STORE")
    assert code == 1 and "no store" in err
