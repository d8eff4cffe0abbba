"""Embedders: the offline static model, the loader's errors and cache, the llama-index adapter."""

from __future__ import annotations

import numpy as np
import pytest

from index import embed
from index.embed import (
    Embedder,
    LlamaIndexEmbedding,
    load_embedder,
    normalise_rows,
)


def test_normalise_rows_gives_unit_float32_rows_and_keeps_zero_rows_zero() -> None:
    rows = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert rows.dtype == np.float32
    assert rows.tolist() == [[pytest.approx(0.6), pytest.approx(0.8)], [0.0, 0.0]]


def test_a_model_that_is_not_on_this_machine_names_the_setting() -> None:
    with pytest.raises(
        ValueError, match=r"DQA_EMBED_MODEL='/no/such/model-folder' cannot be loaded"
    ):
        load_embedder("/no/such/model-folder")


def test_embedders_are_loaded_once_per_name(
    monkeypatch: pytest.MonkeyPatch, keyword_embedder
) -> None:
    loads: list[str] = []

    def fake_static() -> Embedder:
        loads.append("wordllama")
        return keyword_embedder

    monkeypatch.setattr(embed, "StaticEmbedder", fake_static)
    monkeypatch.setattr(embed, "_cache", {})
    assert load_embedder("wordllama") is load_embedder("wordllama") is keyword_embedder
    assert loads == ["wordllama"]


def test_llama_index_adapter_returns_the_wrapped_vectors(keyword_embedder, capsys) -> None:
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.llms import MockLLM

    adapter = LlamaIndexEmbedding(keyword_embedder)
    texts = ["全区全年共签收12345热线工单84395件", "住房公积金 20.04"]
    expected = keyword_embedder.embed(texts)
    assert np.allclose(adapter.get_text_embedding_batch(texts), expected)
    assert adapter.get_query_embedding("12345") == pytest.approx(
        keyword_embedder.embed(["12345"])[0].tolist()
    )
    assert adapter.model_name == "keywords"
    # Settings.llm = None: no OpenAI default, and llama-index's notice kept off stdout
    assert isinstance(LlamaSettings.llm, MockLLM)
    assert capsys.readouterr().out == ""


@pytest.mark.slow
def test_static_embedder_is_offline_256_wide_and_normalised() -> None:
    embedder = load_embedder("wordllama")
    assert isinstance(embedder, Embedder)
    assert (embedder.name, embedder.dim) == ("wordllama", 256)
    vectors = embedder.embed(["岳麓区12345热线工单", "住房公积金 20.04", ""])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors[:2], axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)
    assert embedder.embed([]).shape == (0, 256)


@pytest.mark.slow
def test_static_embedder_puts_the_hotline_sentence_closer_than_housing_fund() -> None:
    embedder = load_embedder("wordllama")
    query, hotline, housing = embedder.embed(
        ["岳麓区12345热线工单", "全区全年共签收12345热线工单84395件", "住房公积金 20.04"]
    )
    # measured when written: 0.79 vs 0.34
    assert float(query @ hotline) > float(query @ housing) + 0.2


@pytest.mark.slow
def test_a_local_sentence_transformers_folder_loads_offline(tmp_path) -> None:
    # Save the static model as a sentence-transformers folder, as a user's bge-small-zh would be.
    static = load_embedder("wordllama")
    static._model.save(str(tmp_path / "static-model"))
    folder = load_embedder(str(tmp_path / "static-model"))
    assert (folder.name, folder.dim) == (str(tmp_path / "static-model"), 256)
    texts = ["岳麓区12345热线工单", "住房公积金 20.04"]
    assert np.allclose(folder.embed(texts), static.embed(texts), atol=1e-6)
