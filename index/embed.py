"""Chunk text -> vectors: the embedders behind the vector store (and the query side)."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from index.config import DEFAULT_EMBED_MODEL

logger = logging.getLogger(__name__)

# Static token embeddings are cheap per text, so a large batch only bounds peak memory.
_BATCH_SIZE = 256


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into float32, L2-normalised rows of width `dim`."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows of unit length; an all-zero row (empty text) stays zero instead of NaN."""
    out = np.asarray(vectors, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-D array of vectors, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


class _SentenceTransformerBase:
    """Shared encode path: one `encode` call per batch of texts, no progress bar."""

    name: str
    dim: int
    _model: Any

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=_BATCH_SIZE,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=False,  # done below, so empty texts give zeros, not NaN
        )
        return normalise_rows(vectors)


class StaticEmbedder(_SentenceTransformerBase):
    """The default, fully offline model: wordllama's static token embeddings (dim 256).

    The weights ship inside the `wordllama` wheel, so nothing is downloaded. They are wrapped as
    a sentence-transformers `StaticEmbedding` (mean of token vectors) because `WordLlama.embed`
    itself fails on a batch of texts with different token counts.
    """

    def __init__(self) -> None:
        import wordllama
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
        from wordllama import WordLlama

        wl = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        module = StaticEmbedding(wl.tokenizer, embedding_weights=np.asarray(wl.embedding))
        self._model = SentenceTransformer(modules=[module], device="cpu")
        self.name = DEFAULT_EMBED_MODEL
        self.dim = int(np.asarray(wl.embedding).shape[1])


class SentenceTransformerEmbedder(_SentenceTransformerBase):
    """Any sentence-transformers model already on this machine: a local folder or a cached name."""

    def __init__(self, name_or_folder: str) -> None:
        if not name_or_folder.strip():
            raise ValueError("DQA_EMBED_MODEL is empty; use 'wordllama' or a model folder")
        from sentence_transformers import SentenceTransformer

        folder = Path(name_or_folder).expanduser()
        source = str(folder) if folder.exists() else name_or_folder
        # local_files_only: a name that is not in the local cache must fail here, not download.
        self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        self.name = name_or_folder
        dim = self._model.get_embedding_dimension()
        self.dim = int(dim) if dim else int(self.embed(["维度"]).shape[1])


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(name: str = DEFAULT_EMBED_MODEL) -> Embedder:
    """The embedder for a DQA_EMBED_MODEL value, loaded once per process (loading takes seconds)."""
    key = name.strip() or DEFAULT_EMBED_MODEL
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        started = time.perf_counter()
        try:
            embedder: Embedder = (
                StaticEmbedder() if key == DEFAULT_EMBED_MODEL else SentenceTransformerEmbedder(key)
            )
        except Exception as exc:  # any loader failure becomes one configuration error
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ValueError(
                f"DQA_EMBED_MODEL={key!r} cannot be loaded ({reason[:300]}); use "
                f"'{DEFAULT_EMBED_MODEL}' (the offline default) or a local sentence-transformers "
                "model folder"
            ) from exc
        logger.info(
            "loaded embedder %s (dim %d) in %.1fs", key, embedder.dim, time.perf_counter() - started
        )
        _cache[key] = embedder
        return embedder


_llm_disabled = False


def disable_llama_index_llm() -> None:
    """Set llama-index's global LLM to None once, so nothing reaches for OpenAI.

    llama-index prints "LLM is explicitly disabled. Using MockLLM." to stdout when this is set;
    the CLI's stdout is a machine-readable contract, so that line goes to the log instead.
    """
    global _llm_disabled
    if _llm_disabled:
        return
    from llama_index.core import Settings as LlamaSettings

    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        LlamaSettings.llm = None
    if captured.getvalue().strip():
        logger.debug("llama-index: %s", captured.getvalue().strip())
    _llm_disabled = True


class LlamaIndexEmbedding(BaseEmbedding):
    """A llama-index `BaseEmbedding` over one of our `Embedder`s; pass it as `embed_model=`."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        disable_llama_index_llm()
        super().__init__(model_name=embedder.name, embed_batch_size=_BATCH_SIZE, **kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "DisclosureQAEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return list(self._embedder.embed([query])[0].tolist())

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return list(self._embedder.embed([text])[0].tolist())

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [list(row) for row in self._embedder.embed(list(texts)).tolist()]
