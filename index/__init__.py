"""Build side of disclosure QA: report files -> fact store, vector store, keyword index."""

from __future__ import annotations

import os

# Offline by construction: nothing in this package may reach a model hub or telemetry endpoint.
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_key, _value)
