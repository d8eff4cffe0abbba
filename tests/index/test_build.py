"""add_files / build_corpus: idempotence, all-or-nothing, kills, swaps, a Chroma server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from index.build import AddResult, add_files, build_corpus, recover_store, store_stats
from index.config import Settings
from index.stores import SqliteFactStore, StoreError, open_stores

REPO = Path(__file__).resolve().parents[2]
YUELU = "004_abd4107061c8b5b5.txt"
QIAOKOU = "000_31904a6d4c850464.txt"
WUCHANG = "003_37777d28b5322ccf.txt"
YUELU_TEXT = "全区全年共签收12345热线工单84395件\n岳麓区网格化综合服务中心 423.38\n"
QIAOKOU_TEXT = "2210201 住房公积金 20.04\n2010350 事业运行 180.03\n"
WUCHANG_TEXT = "2010350 事业运行 372.78\n"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _settings(store: Path, **kwargs: str) -> Settings:
    return Settings(store=store, embed_model="keywords", **kwargs)


def _snapshot(store: Path) -> tuple[dict, list, list]:
    """What a reader sees: stats, facts and the chunk ids a vector query returns."""
    stats = store_stats(store)
    if not stats["reports"]:
        return stats, [], []
    stores = open_stores(store)
    try:
        query = build_embedder().embed(["住房公积金 12345 事业运行"])[0]
        hits = sorted(cid for cid, _ in stores.vectors.query(query, k=50))
        return stats, stores.facts.facts(), hits
    finally:
        stores.close()


def build_embedder():
    import index.embed

    return index.embed.load_embedder("keywords")


def test_add_then_re_add_is_unchanged_and_writes_nothing(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    yuelu = _write(tmp_path / "in", YUELU, YUELU_TEXT)
    qiaokou = _write(tmp_path / "in", QIAOKOU, QIAOKOU_TEXT)
    results = add_files([yuelu, qiaokou], _settings(store_dir))
    assert [(r.name, r.status, r.org, r.year, r.kind, r.facts, r.chunks) for r in results] == [
        (YUELU, "added", "长沙市岳麓区网格化综合服务中心", 2021, "绩效自评", 1, 2),
        (QIAOKOU, "added", "长沙市岳麓区网格化综合服务中心", 2021, "绩效自评", 2, 2),
    ]
    assert results[0].summary() == (
        f"added {YUELU}: 长沙市岳麓区网格化综合服务中心 2021 绩效自评 — "
        "tables 1 (1 passed checks), facts 1, chunks 2"
    )
    stats = store_stats(store_dir)
    assert (stats["reports"], stats["chunks"], stats["facts"]) == (2, 4, 3)
    assert stats["report_names"] == [QIAOKOU, YUELU]

    before = sorted((p.relative_to(store_dir), p.stat().st_mtime_ns) for p in store_dir.rglob("*"))
    again = add_files([yuelu, qiaokou, yuelu], _settings(store_dir))
    assert [(r.name, r.status) for r in again] == [(YUELU, "unchanged"), (QIAOKOU, "unchanged")]
    assert again[0].summary() == f"unchanged {YUELU}"
    after = sorted((p.relative_to(store_dir), p.stat().st_mtime_ns) for p in store_dir.rglob("*"))
    assert after == before


def test_readers_find_the_added_chunks_by_vector_and_keyword(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    add_files([_write(tmp_path, QIAOKOU, QIAOKOU_TEXT), _write(tmp_path, YUELU, YUELU_TEXT)],
              _settings(store_dir))  # fmt: skip
    stores = open_stores(store_dir)
    try:
        [first] = stores.vectors.query(fake_pipeline.embed(["住房公积金"])[0], k=1)
        assert stores.facts.chunks_by_id([first[0]])[first[0]].text == "2210201 住房公积金 20.04"
        [(chunk_id, _)] = stores.keywords.search("12345热线", k=3)
        assert stores.facts.chunks_by_id([chunk_id])[chunk_id].report == YUELU
        assert (stores.embed_model, stores.embed_dim) == ("keywords", 5)
    finally:
        stores.close()


def test_a_changed_file_replaces_its_report(tmp_path: Path, store_dir: Path, fake_pipeline) -> None:
    path = _write(tmp_path, QIAOKOU, QIAOKOU_TEXT)
    add_files([path, _write(tmp_path, YUELU, YUELU_TEXT)], _settings(store_dir))
    path.write_text("30113 住房公积金 21.23\n", encoding="utf-8")
    [result] = add_files([path], _settings(store_dir))
    assert (result.status, result.facts, result.chunks) == ("replaced", 1, 1)
    stats, facts, _ = _snapshot(store_dir)
    assert (stats["reports"], stats["chunks"], stats["facts"]) == (2, 3, 2)
    assert [f.raw for f in facts if f.report == QIAOKOU] == ["21.23"]
    stores = open_stores(store_dir)
    try:
        assert stores.vectors.count() == 3  # the replaced version's vectors were pruned
        [(chunk_id, _)] = stores.keywords.search("21.23", k=3)
        assert stores.facts.chunks_by_id([chunk_id])[chunk_id].text == "30113 住房公积金 21.23"
        assert stores.keywords.search("2210201", k=3) == []
    finally:
        stores.close()


def test_a_bad_file_in_the_middle_writes_nothing(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    add_files([_write(tmp_path, YUELU, YUELU_TEXT)], _settings(store_dir))
    before = _snapshot(store_dir)
    paths = [
        _write(tmp_path, QIAOKOU, QIAOKOU_TEXT),
        _write(tmp_path, "空 文件.txt", ""),
        _write(tmp_path, WUCHANG, "BOOM"),
        tmp_path / "missing.pdf",
    ]
    results = add_files(paths, _settings(store_dir))
    assert [(r.name, r.status, r.error) for r in results] == [
        (QIAOKOU, "skipped", ""),
        ("空 文件.txt", "error", "the file is empty"),
        (WUCHANG, "error", "RuntimeError: parser bug"),
        ("missing.pdf", "error", "no such file"),
    ]
    assert results[1].summary() == "error: 空 文件.txt: the file is empty"
    assert _snapshot(store_dir) == before


def test_a_failed_first_add_creates_no_store(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    results = add_files([_write(tmp_path, "empty.txt", "")], _settings(store_dir))
    assert [r.status for r in results] == ["error"]
    assert not store_dir.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt"]


def test_same_name_twice_in_one_add_is_an_error(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    first = _write(tmp_path / "a", YUELU, YUELU_TEXT)
    second = _write(tmp_path / "b", YUELU, QIAOKOU_TEXT)
    results = add_files([first, second], _settings(store_dir))
    assert [r.status for r in results] == ["skipped", "error"]
    assert results[1].error.startswith("another file with this name is in the same run")
    assert store_stats(store_dir)["reports"] == 0


def test_a_failure_while_writing_leaves_the_store_as_it_was(
    tmp_path: Path, store_dir: Path, fake_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    yuelu = _write(tmp_path, YUELU, YUELU_TEXT)
    add_files([yuelu], _settings(store_dir))
    before = _snapshot(store_dir)
    real = SqliteFactStore.replace_report
    calls: list[str] = []

    def dies_on_second_report(self, analysis, **kwargs):
        real(self, analysis, **kwargs)
        calls.append(analysis.report.name)
        if len(calls) == 2:
            raise MemoryError("simulated kill in the middle of the write phase")

    monkeypatch.setattr(SqliteFactStore, "replace_report", dies_on_second_report)
    yuelu.write_text("岳麓区 2021 年新版本 12345\n", encoding="utf-8")
    paths = [
        yuelu,
        _write(tmp_path, QIAOKOU, QIAOKOU_TEXT),
        _write(tmp_path, WUCHANG, WUCHANG_TEXT),
    ]
    with pytest.raises(StoreError, match="the store was left as it was"):
        add_files(paths, _settings(store_dir))
    assert _snapshot(store_dir) == before

    monkeypatch.setattr(SqliteFactStore, "replace_report", real)
    assert [r.status for r in add_files(paths, _settings(store_dir))] == [
        "replaced",
        "added",
        "added",
    ]
    assert store_stats(store_dir)["reports"] == 3


def test_kill_9_during_the_write_leaves_the_store_as_it_was(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    yuelu = _write(tmp_path, YUELU, YUELU_TEXT)
    add_files([yuelu], _settings(store_dir))
    before = _snapshot(store_dir)
    yuelu.write_text("岳麓区 2021 年新版本 12345\n", encoding="utf-8")
    qiaokou = _write(tmp_path, QIAOKOU, QIAOKOU_TEXT)
    proc = _in_child(f"""
        real = SqliteFactStore.replace_report
        def replace_then_die(self, analysis, **kwargs):
            real(self, analysis, **kwargs)
            if analysis.report.name == {QIAOKOU!r}:
                os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction, after the vectors
        SqliteFactStore.replace_report = replace_then_die
        add_files([Path({str(yuelu)!r}), Path({str(qiaokou)!r})],
                  Settings(store=Path({str(store_dir)!r}), embed_model="keywords"))
    """)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert _snapshot(store_dir) == before
    # the next add writes the same versions and prunes nothing it should keep
    assert [r.status for r in add_files([yuelu, qiaokou], _settings(store_dir))] == [
        "replaced",
        "added",
    ]
    stores = open_stores(store_dir)
    try:
        # new Yuelu (1 chunk) + Qiaokou (2): the uncommitted leftovers were upserted, not doubled
        assert stores.vectors.count() == store_stats(store_dir)["chunks"] == 3
    finally:
        stores.close()


def _in_child(body: str) -> subprocess.CompletedProcess[str]:
    """Run `body` in a fresh interpreter with the fake parser and embedder patched in."""
    setup = f"""
        import os, runpy, signal, sys
        from pathlib import Path
        fixtures = runpy.run_path({str(REPO / "tests" / "conftest.py")!r})
        import index.analyse, index.embed
        from index.build import add_files
        from index.config import Settings
        from index.stores import SqliteFactStore
        index.analyse.analyse_file = fixtures["fake_analyse"]
        embedder = fixtures["KeywordEmbedder"]()
        index.embed.load_embedder = lambda name="": embedder
    """
    script = textwrap.dedent(setup) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_refresh_sees_an_add_by_another_process_and_a_rebuild(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    add_files([_write(tmp_path, YUELU, YUELU_TEXT)], _settings(store_dir))
    stores = open_stores(store_dir)
    try:
        query = fake_pipeline.embed(["住房公积金"])[0]
        assert stores.refresh() is False
        qiaokou = _write(tmp_path, QIAOKOU, QIAOKOU_TEXT)
        proc = _in_child(f"""
            add_files([Path({str(qiaokou)!r})],
                      Settings(store=Path({str(store_dir)!r}), embed_model="keywords"))
        """)
        assert proc.returncode == 0, proc.stderr
        assert stores.refresh() is True
        [(chunk_id, _)] = stores.vectors.query(query, k=1)
        assert stores.facts.chunks_by_id([chunk_id])[chunk_id].text == "2210201 住房公积金 20.04"
        assert stores.keywords.search("2210201", k=1)[0][0] == chunk_id

        corpus = tmp_path / "corpus"
        _write(corpus, WUCHANG, WUCHANG_TEXT)
        build_corpus(corpus, _settings(store_dir))
        assert stores.refresh() is True
        assert stores.facts.stats()["report_names"] == [WUCHANG]
        [(chunk_id, _)] = stores.vectors.query(query, k=1)
        assert stores.facts.chunks_by_id([chunk_id])[chunk_id].report == WUCHANG
    finally:
        stores.close()


def test_switching_the_embedder_asks_for_a_rebuild(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    add_files([_write(tmp_path, YUELU, YUELU_TEXT)], _settings(store_dir))
    other = Settings(store=store_dir, embed_model="BAAI/bge-small-zh-v1.5")
    with pytest.raises(StoreError, match="run `python -m index build` to rebuild"):
        add_files([_write(tmp_path, QIAOKOU, QIAOKOU_TEXT)], other)


def test_build_swaps_in_a_complete_store(tmp_path: Path, store_dir: Path, fake_pipeline) -> None:
    add_files([_write(tmp_path / "extra", WUCHANG, WUCHANG_TEXT)], _settings(store_dir))
    corpus = tmp_path / "corpus"
    _write(corpus, YUELU, YUELU_TEXT)
    _write(corpus, QIAOKOU, QIAOKOU_TEXT)
    _write(corpus, "README", "not a report")
    results = build_corpus(corpus, _settings(store_dir))
    assert [(r.name, r.status) for r in results] == [(QIAOKOU, "added"), (YUELU, "added")]
    stats = store_stats(store_dir)
    assert stats["report_names"] == [QIAOKOU, YUELU]  # a rebuild holds the corpus only
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.lock", "corpus", "extra", "store"]
    stores = open_stores(store_dir)
    try:
        assert stores.vectors.count() == 4
        assert stores.keywords.search("住房公积金", k=1)[0][0].endswith(":c0")
    finally:
        stores.close()


def test_a_failed_build_keeps_the_old_store(tmp_path: Path, store_dir: Path, fake_pipeline) -> None:
    add_files([_write(tmp_path / "extra", WUCHANG, WUCHANG_TEXT)], _settings(store_dir))
    before = _snapshot(store_dir)
    corpus = tmp_path / "corpus"
    _write(corpus, YUELU, YUELU_TEXT)
    _write(corpus, "broken.txt", "")
    results = build_corpus(corpus, _settings(store_dir))
    assert [(r.name, r.status) for r in results] == [
        (YUELU, "skipped"),
        ("broken.txt", "error"),
    ]
    assert _snapshot(store_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.lock", "corpus", "extra", "store"]


def test_build_of_a_missing_or_empty_corpus_is_an_error(tmp_path: Path, store_dir: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        build_corpus(tmp_path / "nope", _settings(store_dir))
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="no report files"):
        build_corpus(tmp_path / "empty", _settings(store_dir))


@pytest.mark.parametrize("left_behind", ["finished build", "old store"])
def test_recover_store_after_a_kill_between_the_two_renames(
    tmp_path: Path, store_dir: Path, fake_pipeline, left_behind: str
) -> None:
    add_files([_write(tmp_path, YUELU, YUELU_TEXT)], _settings(store_dir))
    before = _snapshot(store_dir)
    if left_behind == "finished build":
        target = tmp_path / ".store.build-0000dead"
        (store_dir / "BUILD_COMPLETE").write_text("x")
    else:
        target = tmp_path / ".store.old-0000dead"
    store_dir.rename(target)
    assert store_stats(store_dir)["reports"] == 0
    recover_store(store_dir)
    assert _snapshot(store_dir) == before
    assert not target.exists() and not (store_dir / "BUILD_COMPLETE").exists()


def test_a_reader_between_the_two_renames_waits_for_the_second(
    tmp_path: Path, store_dir: Path, fake_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import index.stores

    add_files([_write(tmp_path, YUELU, YUELU_TEXT)], _settings(store_dir))
    aside = tmp_path / ".store.old-0000beef"
    store_dir.rename(aside)  # the instant between a build's two renames
    later = threading.Timer(0.3, lambda: aside.rename(store_dir))
    later.start()
    try:
        stores = open_stores(store_dir)  # before: StoreError, no fact store
        assert "004_abd4107061c8b5b5.txt" in stores.facts.reports()[0]["name"]
        stores.facts.close()
    finally:
        later.join()
    # cut short there by a kill: the reader says so (a writer's recover_store puts it back)
    store_dir.rename(aside)
    monkeypatch.setattr(index.stores, "SWAP_WAIT_S", 0.1)
    with pytest.raises(StoreError, match="interrupted build"):
        open_stores(store_dir)
    recover_store(store_dir)
    assert open_stores(store_dir).facts.reports()


def test_add_result_summary_lines() -> None:
    assert AddResult("a.txt", "skipped").summary() == (
        "skipped a.txt: not written, another file in this run failed"
    )
    assert AddResult("a b.txt", "added", year=None).summary() == (
        "added a b.txt: (no org/year found) — tables 0 (0 passed checks), facts 0, chunks 0"
    )


# -- against a real Chroma server ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path):
    binary = Path(sys.executable).parent / "chroma"
    if not binary.exists() and shutil.which("chroma") is None:
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [str(binary if binary.exists() else "chroma"), "run", "--path",
         str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # up to ~20 s for the heartbeat
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"no heartbeat from chroma at {url}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_add_build_and_query_against_a_chroma_server(
    tmp_path: Path, store_dir: Path, fake_pipeline, chroma_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import chromadb

    monkeypatch.setenv("DQA_CHROMA_URL", chroma_server)
    monkeypatch.setenv("DQA_EMBED_MODEL", "keywords")
    settings = Settings.from_env(store_dir)
    assert settings.chroma_url == chroma_server
    add_files([_write(tmp_path, YUELU, YUELU_TEXT)], settings)
    stores = open_stores(store_dir, chroma_url=chroma_server)
    try:
        first_collection = stores.vectors.name
        assert stores.vectors.count() == 2
    finally:
        stores.close()
    assert not (store_dir / "chroma").exists()  # the vectors live on the server

    corpus = tmp_path / "corpus"
    _write(corpus, QIAOKOU, QIAOKOU_TEXT)
    _write(corpus, YUELU, YUELU_TEXT)
    assert [r.status for r in build_corpus(corpus, settings)] == ["added", "added"]
    stores = open_stores(store_dir, chroma_url=chroma_server)
    try:
        assert stores.vectors.name != first_collection  # built into a new collection
        [(chunk_id, score)] = stores.vectors.query(fake_pipeline.embed(["住房公积金"])[0], k=1)
        assert stores.facts.chunks_by_id([chunk_id])[chunk_id].text == "2210201 住房公积金 20.04"
        assert score == pytest.approx(1.0, abs=1e-5)
        server = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_server.rsplit(":", 1)[1]))
        names = sorted(c.name for c in server.list_collections())
        assert names == [stores.vectors.name]  # the superseded collection was dropped
    finally:
        stores.close()
    with pytest.raises(StoreError, match="keeps its vectors in http://127.0.0.1"):
        open_stores(store_dir)


# -- the real corpus -------------------------------------------------------------------------


@pytest.mark.slow
def test_build_the_real_corpus(tmp_path: Path) -> None:
    from index.analyse import analyse_file

    corpus = REPO / "corpus"
    try:
        analyse_file(corpus / YUELU, 100 * 1024 * 1024)
    except NotImplementedError:
        pytest.skip("index.analyse.analyse_file is not implemented yet")
    settings = Settings(store=tmp_path / "store")
    results = build_corpus(corpus, settings)
    assert [r.status for r in results] == ["added"] * 5, [r.error for r in results]
    stats = store_stats(settings.store)
    assert stats["report_names"] == sorted(p.name for p in corpus.glob("*.txt"))
    assert stats["facts"] > 0 and stats["chunks"] > 0
    stores = open_stores(settings.store)
    try:
        hits = stores.keywords.search("12345热线工单", k=5)
        assert stores.facts.chunks_by_id([hits[0][0]])[hits[0][0]].report == YUELU
    finally:
        stores.close()
    again = add_files(sorted(corpus.glob("*.txt")), settings)
    assert [r.status for r in again] == ["unchanged"] * 5


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ("renamed", "analysis names the report ['other.txt'], expected '000_31904a6d4c850464.txt'"),
        ("same position", "analysis gave two chunks the same position; ids would clash"),
    ],
)
def test_an_inconsistent_analysis_is_an_error_for_that_file(
    tmp_path: Path, store_dir: Path, fake_pipeline, monkeypatch: pytest.MonkeyPatch,
    make_analysis, broken: str, error: str,
) -> None:  # fmt: skip
    import index.analyse

    def parser_bug(path: Path, max_bytes: int):
        if broken == "renamed":
            return make_analysis("other.txt", ["住房公积金 20.04"])
        analysis = make_analysis(path.name, ["住房公积金 20.04", "事业运行 180.03"])
        first = analysis.chunks[0]
        return type(analysis)(analysis.report, (), (), (first, first))

    monkeypatch.setattr(index.analyse, "analyse_file", parser_bug)
    [result] = add_files([_write(tmp_path, QIAOKOU, QIAOKOU_TEXT)], _settings(store_dir))
    assert (result.status, result.error) == ("error", error)
    assert not store_dir.exists()


def test_build_removes_what_killed_builds_left_behind(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    add_files([_write(tmp_path / "extra", WUCHANG, WUCHANG_TEXT)], _settings(store_dir))
    dead = tmp_path / ".store.build-0000dead"
    dead.mkdir()
    (dead / "BUILDER_PID").write_text("999999999")  # no such process
    live = tmp_path / ".store.build-0000live"
    live.mkdir()
    (live / "BUILDER_PID").write_text(str(os.getpid()))  # a build still running
    (tmp_path / ".store.old-0000dead").mkdir()
    corpus = tmp_path / "corpus"
    _write(corpus, YUELU, YUELU_TEXT)
    build_corpus(corpus, _settings(store_dir))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".store.build-0000live",
        ".store.lock",
        "corpus",
        "extra",
        "store",
    ]


def test_a_newline_in_a_file_name_does_not_split_its_line() -> None:
    from index.build import AddResult

    line = AddResult(name="bad\nname.txt", status="error", error="empty file\n(0 bytes)").summary()
    assert "\n" not in line
    assert line == "error: bad\\nname.txt: empty file (0 bytes)"
    assert AddResult(name="ok.txt", status="unchanged").summary() == "unchanged ok.txt"
    # a control character that is no whitespace, in the name or the reason, is escaped too
    assert AddResult(name="a\x01.txt", status="error", error="bad \x00 byte").summary() == "error: a\\x01.txt: bad \\x00 byte"


def test_the_store_keeps_each_reports_file_until_the_report_goes(
    tmp_path: Path, store_dir: Path, fake_pipeline
) -> None:
    """The page view renders a cited PDF page from the bytes the report was read from: the store
    keeps them, named by their hash, and drops them with the report (replace, remove)."""
    from index.build import file_sha256, original_path, remove_reports

    path = _write(tmp_path / "in", QIAOKOU, QIAOKOU_TEXT)
    add_files([path, _write(tmp_path / "in", YUELU, YUELU_TEXT)], _settings(store_dir))
    first = original_path(store_dir, file_sha256(path), QIAOKOU)
    assert first.read_text(encoding="utf-8") == QIAOKOU_TEXT and first.name == QIAOKOU
    path.write_text("30113 住房公积金 21.23\n", encoding="utf-8")
    add_files([path], _settings(store_dir))
    second = original_path(store_dir, file_sha256(path), QIAOKOU)
    assert second.read_text(encoding="utf-8") == "30113 住房公积金 21.23\n"
    assert not first.exists() and not first.parent.exists()  # the replaced bytes went
    remove_reports([QIAOKOU], _settings(store_dir))
    assert not second.exists()
    assert [p.name for p in (store_dir / "originals").glob("*/*")] == [YUELU]
