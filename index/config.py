"""Settings read from the environment (and CLI flags), checked once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_EMBED_MODEL = "wordllama"  # the static token embeddings shipped inside the wordllama wheel


@dataclass(frozen=True)
class Settings:
    store: Path
    embed_model: str = DEFAULT_EMBED_MODEL
    chroma_url: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    readonly: bool = False  # DQA_READONLY=1: the app serves answers and takes no uploads

    @classmethod
    def from_env(cls, store: str | Path | None = None) -> Settings:
        store_dir = Path(store or os.environ.get("DQA_STORE") or ".store")
        max_bytes = int(os.environ.get("DQA_MAX_BYTES", DEFAULT_MAX_BYTES))
        if max_bytes <= 0:
            raise ValueError(f"DQA_MAX_BYTES must be > 0, got {max_bytes}")
        return cls(
            store=store_dir,
            embed_model=os.environ.get("DQA_EMBED_MODEL", DEFAULT_EMBED_MODEL) or DEFAULT_EMBED_MODEL,
            chroma_url=os.environ.get("DQA_CHROMA_URL", ""),
            max_bytes=max_bytes,
            readonly=os.environ.get("DQA_READONLY", "").strip().lower() in ("1", "true", "yes", "on"),
        )
